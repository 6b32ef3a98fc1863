import Core
import Synchronization

/// The posts each viewer has seen recently, per circle, held in memory (both backends). Reading
/// them from the database cost a fifth of a feed request, and more the longer a viewer scrolled
/// (every page adds twenty rows to read next time). The index learns a view the moment the view
/// recorder takes it, before it is written, so a write-behind recorder never shows a viewer the
/// same posts as unseen twice; with several nodes (PostgreSQL) the service's `FeedFollower` notes
/// the pages other nodes record as it reads them.
///
/// A (viewer, circle) entry is loaded from `page_views` on first use and merged with the views
/// noted since the entry was made (notes are idempotent: a view read twice counts once). Writers
/// that bypass the recorder (bulk seeding) call `reloadAll()` after they commit.
///
/// Bounded three ways: at most `entriesMax` entries and `postsMax` posts in all (per shard, two
/// generations: when the current one reaches half its shard's share of either, it becomes the
/// previous one and the old previous one is dropped, so an entry not used during a whole
/// generation is reloaded when next needed), and at most `postsPerEntryMax` posts per entry (past
/// that many, and an eighth, a viewer's oldest views stop counting). The posts bound is what
/// keeps memory in check: entries alone would allow 100,000 × 5,625 posts. At about 64 bytes a
/// post (its first-seen time and its place in the seen set), 4 million posts are some 250 MiB.
public final class SeenPostsIndex: Sendable {
    public static let entriesMax = 100_000
    public static let postsMax = 4_000_000
    public static let postsPerEntryMax = ViewedPage.seenHistoryMax
    /// Shards, so concurrent requests rarely wait for each other's lock.
    static let shardCount = 16

    public struct Key: Hashable, Sendable {
        var viewerID: UserID
        var circleID: CircleID
    }

    public struct View: Hashable, Sendable {
        public var postID: Int64
        public var atEpochSeconds: Int64

        public init(postID: Int64, atEpochSeconds: Int64) {
            self.postID = postID
            self.atEpochSeconds = atEpochSeconds
        }
    }

    /// A `Mutex` cannot live in an array by value.
    private final class Shard: Sendable {
        let generations: Mutex<Generations>

        init(_ limits: Generations.Limits) { generations = Mutex(Generations(limits: limits)) }
    }

    private let shards: [Shard]

    /// `entriesMax` and `postsMax` other than the defaults are for tests.
    public init(entriesMax: Int = SeenPostsIndex.entriesMax, postsMax: Int = SeenPostsIndex.postsMax) {
        let limits = Generations.Limits(
            entriesMax: max(1, entriesMax / Self.shardCount / 2), postsMax: max(1, postsMax / Self.shardCount / 2))
        shards = (0..<Self.shardCount).map { _ in Shard(limits) }
    }

    private func shard(_ key: Key) -> Shard {
        var hasher = Hasher()
        hasher.combine(key)
        return shards[Int(UInt(bitPattern: hasher.finalize()) % UInt(Self.shardCount))]
    }

    /// Notes views the moment they are recorded (before they are durable).
    public func note(_ views: [(viewerID: UserID, circleID: CircleID, postID: Int64)], at now: Int64) {
        var byKey: [Key: [Int64]] = [:]
        for view in views { byKey[Key(viewerID: view.viewerID, circleID: view.circleID), default: []].append(view.postID) }
        for (key, postIDs) in byKey {
            shard(key).generations.withLock { generations in
                generations.update(key) { entry in
                    for postID in postIDs { entry.note(View(postID: postID, atEpochSeconds: now)) }
                }
            }
        }
    }

    /// Notes pages recorded elsewhere (another node's), each at its own time.
    public func note(pages: [ViewedPage]) {
        for page in pages {
            let key = Key(viewerID: page.viewerID, circleID: page.circleID)
            shard(key).generations.withLock { generations in
                generations.update(key) { entry in
                    for postID in page.postIDs { entry.note(View(postID: postID, atEpochSeconds: page.atEpochSeconds)) }
                }
            }
        }
    }

    /// Posts `viewer` saw in `circle` in [`since`, `before`); `load` reads the events table
    /// (views at or after `since`) when the entry has not been loaded yet.
    public func seenPostIDs(_ viewer: UserID, circle: CircleID, since: Int64, before: Int64, load: () throws -> [View]) rethrows -> Set<Int64> {
        let key = Key(viewerID: viewer, circleID: circle)
        let shard = shard(key)
        if let seen = shard.generations.withLock({ generations -> Set<Int64>? in
            generations.update(key) { entry in entry.isLoaded ? entry.seen(since: since, before: before) : nil }
        }) {
            return seen
        }
        // Read outside the lock; a concurrent loader may have won meanwhile, then its entry stands.
        let stored = try load()
        return shard.generations.withLock { generations in
            generations.update(key) { entry in
                if !entry.isLoaded {
                    for view in stored { entry.note(view) }
                    entry.isLoaded = true
                }
                return entry.seen(since: since, before: before)
            }
        }
    }

    /// After views were written around `ViewRecorder`: every entry reads the events table
    /// again on its next use, keeping the views it noted (some may not be written yet).
    public func reloadAll() {
        for shard in shards {
            shard.generations.withLock { generations in
                for key in generations.current.keys { generations.current[key]!.isLoaded = false }
                for key in generations.previous.keys { generations.previous[key]!.isLoaded = false }
            }
        }
    }

    /// One viewer's views in one circle. `earliestAt` is the record; `settled` and `recent`
    /// answer the usual question in O(1): a first page asks for the posts seen before now, and
    /// `settled` is kept as exactly the posts first seen before `watermark`, the latest such
    /// "now"; views at or after it wait in `recent` until a later question moves them.
    public struct Entry: Sendable {
        /// Whether the views from the events table have been merged in.
        public var isLoaded = false

        public init() {}
        private var earliestAt: [Int64: Int64] = [:]
        private var settled: Set<Int64> = []
        private var recent: [View] = []
        private var watermark = Int64.min
        private var oldestAt = Int64.max

        /// Views older than the window's age by less than this still count as seen: pruning on
        /// every second's boundary would rebuild busy entries on every request. An hour-old
        /// excess only touches posts at the very end of the window.
        static let pruneSlackSeconds: Int64 = 3_600

        public mutating func note(_ view: View) {
            if let earliest = earliestAt[view.postID], earliest <= view.atEpochSeconds { return }
            earliestAt[view.postID] = view.atEpochSeconds
            oldestAt = min(oldestAt, view.atEpochSeconds)
            if view.atEpochSeconds < watermark { settled.insert(view.postID) } else { recent.append(view) }
            if earliestAt.count > SeenPostsIndex.postsPerEntryMax + SeenPostsIndex.postsPerEntryMax / 8 { keepNewest(SeenPostsIndex.postsPerEntryMax) }
        }

        /// Posts held (each once, however often seen).
        var postCount: Int { earliestAt.count }

        public mutating func seen(since: Int64, before: Int64) -> Set<Int64> {
            if oldestAt < since && since.subtractingReportingOverflow(oldestAt).partialValue > Self.pruneSlackSeconds { rebuild(since: since) }
            guard before >= watermark else {
                // An older paging session: answer from the record.
                return Set(earliestAt.lazy.filter { $0.value >= since && $0.value < before }.map(\.key))
            }
            if recent.contains(where: { $0.atEpochSeconds < before }) {
                for view in recent where view.atEpochSeconds < before { settled.insert(view.postID) }
                recent.removeAll { $0.atEpochSeconds < before }
            }
            watermark = before
            return settled
        }

        private mutating func rebuild(since: Int64) {
            earliestAt = earliestAt.filter { $0.value >= since }
            rederive()
        }

        private mutating func keepNewest(_ count: Int) {
            let kept = earliestAt.sorted { $0.value > $1.value }.prefix(count)
            earliestAt = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
            rederive()
        }

        private mutating func rederive() {
            let watermark = watermark
            settled = Set(earliestAt.lazy.filter { $0.value < watermark }.map(\.key))
            recent = earliestAt.filter { $0.value >= watermark }.map { View(postID: $0.key, atEpochSeconds: $0.value) }
            oldestAt = earliestAt.values.min() ?? .max
        }
    }

    struct Generations {
        /// One generation's share of a shard.
        struct Limits {
            var entriesMax: Int
            var postsMax: Int
        }

        let limits: Limits
        var current: [Key: Entry] = [:]
        var previous: [Key: Entry] = [:]
        /// Posts held by each generation's entries.
        private(set) var currentPosts = 0
        private(set) var previousPosts = 0

        init(limits: Limits) { self.limits = limits }

        /// Runs `body` on the key's entry in place (made if missing), in the current generation.
        mutating func update<T>(_ key: Key, _ body: (inout Entry) -> T) -> T {
            if current[key] == nil {
                var entry = Entry()
                if let moved = previous.removeValue(forKey: key) {
                    entry = moved
                    previousPosts -= moved.postCount
                }
                if current.count >= limits.entriesMax { rotate() }
                current[key] = entry
                currentPosts += entry.postCount
            }
            let postsBefore = current[key]!.postCount
            let result = body(&current[key]!)
            currentPosts += current[key]!.postCount - postsBefore
            // Past the posts share the generation retires, this entry with it: at most one entry
            // (`postsPerEntryMax` and an eighth) over the share.
            if currentPosts > limits.postsMax { rotate() }
            return result
        }

        private mutating func rotate() {
            previous = current
            previousPosts = currentPosts
            current = [:]
            currentPosts = 0
        }
    }

    /// Entries held (both generations of every shard), and the posts they hold, for `/metrics`.
    public var size: (entries: Int, posts: Int) {
        var entries = 0
        var posts = 0
        for shard in shards {
            shard.generations.withLock { generations in
                entries += generations.current.count + generations.previous.count
                posts += generations.currentPosts + generations.previousPosts
            }
        }
        return (entries, posts)
    }
}
