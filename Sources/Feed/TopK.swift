/// A post's place in the ranking: higher score first, then the higher (newer) post id. A strict
/// total order, so a ranking is deterministic and a cursor can say "strictly below this".
public struct RankKey: Sendable, Hashable {
    public var score: Double
    public var postID: Int64

    public init(score: Double, postID: Int64) {
        self.score = score
        self.postID = postID
    }

    /// Whether `self` ranks before (above) `other`.
    @inline(__always)
    public func ranksAbove(_ other: RankKey) -> Bool {
        score > other.score || (score == other.score && postID > other.postID)
    }
}

/// One entry of the heap: the key and where the post is in the window's arrays.
struct TopKEntry: Sendable {
    var key: RankKey
    var index: Int
}

/// The best `capacity` entries offered, in a bounded min-heap: O(log capacity) per entry that
/// gets in, one comparison for the (many) that do not. No full sort of the candidates.
struct TopK: Sendable {
    let capacity: Int
    private(set) var entries: [TopKEntry] = []

    init(capacity: Int) {
        precondition(capacity > 0, "top-K capacity must be positive")
        self.capacity = capacity
        entries.reserveCapacity(capacity)
    }

    /// Entries kept beyond the page size: a few posts of the heap get rejected by diversity or
    /// visibility, and a refill pass (a second scan) is much dearer than a larger heap.
    static func capacity(forPageSize pageSize: Int) -> Int { pageSize + pageSize / 2 + 8 }

    var isFull: Bool { entries.count == capacity }

    /// The lowest key kept; meaningful when not empty.
    var minimum: RankKey { entries[0].key }

    /// Keeps `entry` if it ranks above the lowest kept (or there is room), dropping the lowest.
    @inline(__always)
    mutating func offer(_ entry: TopKEntry) {
        if entries.count < capacity {
            entries.append(entry)
            siftUp(entries.count - 1)
        } else if entry.key.ranksAbove(entries[0].key) {
            entries[0] = entry
            siftDown(0, count: entries.count)
        }
    }

    /// The kept entries, best first: heapsort in place (the lowest goes to the end each time).
    func sortedBestFirst() -> [TopKEntry] {
        var sorted = self
        var end = sorted.entries.count
        while end > 1 {
            end -= 1
            sorted.entries.swapAt(0, end)
            sorted.siftDown(0, count: end)
        }
        return sorted.entries
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[parent].key.ranksAbove(entries[child].key) else { return }
            entries.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int, count: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            let right = left + 1
            let lower = right < count && entries[left].key.ranksAbove(entries[right].key) ? right : left
            guard entries[parent].key.ranksAbove(entries[lower].key) else { return }
            entries.swapAt(parent, lower)
            parent = lower
        }
    }
}
