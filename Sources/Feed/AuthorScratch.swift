import Synchronization

/// The arrays by author index that one request fills sparsely: the viewer's terms and the
/// authors' quotas. They are as long as the window's author table, so building them zeroed for
/// every request cost an allocation and a zeroing per author of the circle (half a megabyte per
/// request in a circle of 100,000 users, most of it for authors the viewer never meets). A
/// request takes a set from a small pool, writes the few entries it needs, and hands it back
/// with exactly those entries zeroed again.
///
/// A value, moved out of the pool and back: the request's writes go to its own local copy, so
/// they pay no dynamic exclusivity check (a class's stored arrays did, on every write).
struct AuthorScratch: Sendable {
    /// `Scorer.viewerTerm` by author index; zero except at `termIndices`.
    private(set) var terms: [Double] = []
    private var termIndices: [Int] = []
    /// The quota's counts (`AuthorQuota.shownByIndex`), lent to the request's quota (`lendCounts`).
    private var shown: [Int32] = []

    /// Sets kept for reuse at most: one per thread that ranks at once is plenty.
    static let pooledMax = 32
    private static let pool = Mutex<[AuthorScratch]>([])

    /// A zeroed set at least `authorCapacity` long.
    static func take(authorCapacity: Int) -> AuthorScratch {
        var scratch = pool.withLock { $0.popLast() } ?? AuthorScratch()
        if scratch.terms.count < authorCapacity {
            scratch.terms.append(contentsOf: repeatElement(0, count: authorCapacity - scratch.terms.count))
        }
        if scratch.shown.count < authorCapacity {
            scratch.shown.append(contentsOf: repeatElement(0, count: authorCapacity - scratch.shown.count))
        }
        return scratch
    }

    /// The zeroed counts for the request's `AuthorQuota`, which owns them until `giveBack`.
    mutating func lendCounts() -> [Int32] {
        let counts = shown
        shown = []
        return counts
    }

    /// Zeroes the terms the request wrote and keeps the set for the next request, leaving an
    /// empty one in `scratch`. `zeroedCounts`: the lent counts, back from the quota and zeroed by
    /// it (`AuthorQuota.surrenderCounts`). Zeroing them here, with the caller still holding
    /// them, copied the whole array; the set itself is swapped out of the caller's variable for
    /// the same reason.
    static func giveBack(_ scratch: inout AuthorScratch, zeroedCounts: [Int32]) {
        var kept = AuthorScratch()
        swap(&kept, &scratch)
        for index in kept.termIndices { kept.terms[index] = 0 }
        kept.termIndices.removeAll(keepingCapacity: true)
        kept.shown = zeroedCounts
        pool.withLock { pooled in
            if pooled.count < pooledMax { pooled.append(kept) }
        }
    }

    /// Sets the term at `index` (recorded for zeroing).
    @inline(__always)
    mutating func setTerm(_ value: Double, at index: Int) {
        if terms[index] == 0 { termIndices.append(index) }
        terms[index] = value
    }

    /// The largest term over the first `count` indices, as `terms.prefix(count).max() ?? 0`
    /// gives it: from the entries set, when fewer were set than `count` (so one at least is zero).
    func termMax(count: Int) -> Double {
        guard termIndices.count < count else { return terms.prefix(count).max() ?? 0 }
        var largest = 0.0
        for index in termIndices where index < count { largest = max(largest, terms[index]) }
        return largest
    }
}
