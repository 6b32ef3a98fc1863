import Core

/// Author diversity: each author appears at most `maxPerAuthor` times in a viewer's feed, across
/// all its pages. Walking posts best-first, a post whose author already has that many shown is
/// skipped (and never shown later: it ranks above the cursor). A post the viewer may not see does
/// not use up its author's quota.
///
/// Counts live in an array by author index (the ranking loop skips exhausted authors with one
/// read); the next page's cursor gets them by author id (indices are not stable across restarts).
struct AuthorQuota: Sendable {
    let maxPerAuthor: Int32
    private(set) var shownByIndex: [Int32]
    /// From the cursor, sorted by author.
    private let shownBefore: [FeedCursor.AuthorCount]
    private var shownNow: [UserID] = []

    /// Every index whose count this quota set (to zero again when `counts` go back to their pool).
    private(set) var countIndices: [Int] = []

    /// Quotas for one request, starting from what earlier pages of the session showed. `counts`:
    /// zeroes, at least `authors.capacity` of them (`AuthorScratch.lendCounts`).
    /// `hidden`: authors the viewer never sees, counted as having used up their quota (not
    /// carried in the cursor: the next page hides them again).
    init(maxPerAuthor: Int, authors: AuthorTable, carried: [FeedCursor.AuthorCount], counts: [Int32], hidden: Set<UserID> = []) {
        precondition(counts.count >= authors.capacity, "a count per author")
        self.maxPerAuthor = Int32(clamping: maxPerAuthor)
        shownByIndex = counts
        shownBefore = carried
        for entry in carried {
            guard let index = authors.indexByUserID[entry.authorID.rawValue] else { continue }
            shownByIndex[Int(index)] = Int32(clamping: entry.shownCount)
            countIndices.append(Int(index))
        }
        for author in hidden {
            guard let index = authors.indexByUserID[author.rawValue] else { continue }
            shownByIndex[Int(index)] = self.maxPerAuthor
            countIndices.append(Int(index))
        }
    }

    /// The counts, zeroed again, for their pool; the quota is spent. Taken out of the quota
    /// first, so the zeroing writes in place rather than copying the array.
    mutating func surrenderCounts() -> [Int32] {
        var counts = shownByIndex
        shownByIndex = []
        for index in countIndices { counts[index] = 0 }
        return counts
    }

    @inline(__always)
    func isExhausted(authorIndex: Int) -> Bool { shownByIndex[authorIndex] >= maxPerAuthor }

    /// Whether the author still has room after `pending` more of their posts are shown: a post
    /// asked about in the same chunk as `pending` earlier ones of its author is shown or skipped
    /// for its own answer only then.
    @inline(__always)
    func hasRoom(authorIndex: Int, after pending: Int32) -> Bool { shownByIndex[authorIndex] + pending < maxPerAuthor }

    mutating func recordShown(authorIndex: Int, authorID: UserID) {
        if shownByIndex[authorIndex] == 0 { countIndices.append(authorIndex) }
        shownByIndex[authorIndex] += 1
        shownNow.append(authorID)
    }

    /// What the next page's cursor carries: earlier pages' counts plus this page's, by author.
    var carried: [FeedCursor.AuthorCount] {
        var merged: [FeedCursor.AuthorCount] = []
        merged.reserveCapacity(shownBefore.count + shownNow.count)
        var before = shownBefore[...]
        for author in shownNow.sorted() {
            while let first = before.first, first.authorID < author {
                merged.append(first)
                before.removeFirst()
            }
            if let first = before.first, first.authorID == author {
                merged.append(FeedCursor.AuthorCount(authorID: author, shownCount: first.shownCount + 1))
                before.removeFirst()
            } else if let last = merged.last, last.authorID == author {
                merged[merged.count - 1].shownCount += 1
            } else {
                merged.append(FeedCursor.AuthorCount(authorID: author, shownCount: 1))
            }
        }
        merged.append(contentsOf: before)
        return merged
    }
}
