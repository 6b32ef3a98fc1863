import Core

/// The authors who have posts in a window, each with a dense index. Posts store the index (4
/// bytes instead of an 8-byte id), and a request turns the viewer's sparse affinities and
/// friendships into one array indexed by it: the ranking loop then does one array read per
/// post instead of a hash lookup.
///
/// Author-level facts live here, once per author: a credit change is one write, not a scan of
/// the author's posts. An index is freed when its author's last post leaves the window and is
/// reused, so the table never grows past the authors present.
struct AuthorTable: Sendable {
    var userIDs: [UserID] = []
    var creditScores: [Int32] = []
    /// `CandidateFeatures.credit` of `creditScores`, kept beside it so a request reads it directly.
    var creditFeatures: [Float] = []
    /// `CandidateRow.authorGroup` of each author (0: none).
    var groups: [UInt32] = []
    /// The indices of each group's authors with posts in the window, as bits (`indexSet(group:)`),
    /// kept as authors come, go and change group.
    var membersByGroup: [UInt32: [UInt64]] = [:]
    /// Posts of this author in the window (any status); 0 marks a free index.
    var postCounts: [Int32] = []
    /// The ids of those posts, in no particular order: a restricted audience (friends, a city)
    /// ranks only its authors' posts instead of scanning the whole window past everyone else's.
    var postIDs: [[Int64]] = []
    var indexByUserID = IdIndexTable<Int32>()
    var freeIndices: [Int32] = []

    /// Indices in use or free: the length of per-request arrays indexed by author.
    var capacity: Int { userIDs.count }
    /// Authors with at least one post in the window.
    var count: Int { indexByUserID.count }

    /// Counts one more post (`postID`) for `user`, registering the author if new, and records
    /// the latest credit score and group. Returns the author's index.
    mutating func retain(_ user: UserID, creditScore: Int, group: UInt32 = 0, postID: Int64) -> Int32 {
        let score = Int32(clamping: creditScore)
        if let index = indexByUserID[user.rawValue] {
            postCounts[Int(index)] += 1
            postIDs[Int(index)].append(postID)
            setCredit(at: Int(index), score: score)
            setGroup(at: Int(index), group)
            return index
        }
        let index: Int32
        if let reused = freeIndices.popLast() {
            index = reused
            userIDs[Int(index)] = user
            postCounts[Int(index)] = 1
            postIDs[Int(index)] = [postID]
            setCredit(at: Int(index), score: score)
            groups[Int(index)] = 0
            setGroup(at: Int(index), group)
        } else {
            index = Int32(userIDs.count)
            userIDs.append(user)
            creditScores.append(score)
            creditFeatures.append(CandidateFeatures.credit(score: score))
            groups.append(0)
            postCounts.append(1)
            postIDs.append([postID])
            setGroup(at: Int(index), group)
        }
        indexByUserID[user.rawValue] = index
        return index
    }

    /// Counts one post (`postID`) fewer for the author at `index`, freeing the index after the last.
    mutating func release(_ index: Int32, postID: Int64) {
        let slot = Int(index)
        postCounts[slot] -= 1
        assert(postCounts[slot] >= 0, "author released more often than retained")
        // Posts leave oldest first, usually the front of the author's list.
        if let position = postIDs[slot].firstIndex(of: postID) { postIDs[slot].remove(at: position) }
        if postCounts[slot] == 0 {
            setGroup(at: slot, 0)
            indexByUserID[userIDs[slot].rawValue] = nil
            freeIndices.append(index)
            postIDs[slot] = []
        }
    }

    /// The indices of the authors among `users` (the work is per listed user and a bit per
    /// author, not a byte).
    func indexSet(of users: Set<UserID>) -> IndexSet64 {
        var set = IndexSet64(range: 0..<capacity)
        for user in users {
            if let index = indexByUserID[user.rawValue] { set.insert(Int(index)) }
        }
        return set
    }

    /// The indices of the authors in `group` (0 matches nobody): one pass over a small array,
    /// whatever the group's size. Building the bits from a set of the city's authors, one hash
    /// lookup each, grew with the population (a tenth of a feed page at 100,000 users).
    func indexSet(group: UInt32) -> IndexSet64 {
        guard group != 0, let members = membersByGroup[group] else { return IndexSet64(range: 0..<capacity) }
        return IndexSet64(count: capacity, bits: members)
    }

    /// Moves the author at `slot` to `group` (0: none), keeping `membersByGroup`.
    private mutating func setGroup(at slot: Int, _ group: UInt32) {
        let previous = groups[slot]
        guard previous != group else { return }
        let word = slot >> 6
        let bit: UInt64 = 1 << UInt64(slot & 63)
        if previous != 0 { membersByGroup[previous]![word] &= ~bit }
        if group != 0 {
            membersByGroup[group, default: []].withGrowth(toHold: word) { $0[word] |= bit }
        }
        groups[slot] = group
    }

    /// Records `user`'s new credit score; false if the author has no post in the window.
    @discardableResult
    mutating func updateCredit(of user: UserID, score: Int) -> Bool {
        guard let index = indexByUserID[user.rawValue] else { return false }
        setCredit(at: Int(index), score: Int32(clamping: score))
        return true
    }

    private mutating func setCredit(at slot: Int, score: Int32) {
        creditScores[slot] = score
        creditFeatures[slot] = CandidateFeatures.credit(score: score)
    }

    /// Bytes per author: the arrays plus an index slot (at most 3/4 of the slots are used) and
    /// the header of the author's post-id list (its ids count per post: `bytesPerPost`).
    static let bytesPerAuthor =
        MemoryLayout<UserID>.stride + MemoryLayout<Int32>.stride * 2 + MemoryLayout<Float>.stride
        + IdIndexTable<Int32>.bytesPerSlot * 4 / 3 + MemoryLayout<[Int64]>.stride + listHeaderBytes
    /// An array's heap header (reference counts, count and capacity).
    static let listHeaderBytes = 32
    /// Bytes per post in the authors' post-id lists.
    static let bytesPerPost = MemoryLayout<Int64>.stride
}

extension Array where Element == UInt64 {
    /// Grows with zero words until `word` is an index, then changes the array in place.
    fileprivate mutating func withGrowth(toHold word: Int, _ change: (inout [UInt64]) -> Void) {
        if count <= word { append(contentsOf: repeatElement(0, count: word + 1 - count)) }
        change(&self)
    }
}
