import Core
import Synchronization

/// The posts each viewer has seen recently, per circle, held in memory. Reading them from the
/// events table cost a fifth of a feed request, and more the longer a viewer scrolled (every
/// page adds twenty rows to read next time). The index learns a view the moment `ViewRecorder`
/// takes it, before it is written, so a write-behind recorder never shows a viewer the same
/// posts as unseen twice.
///
/// A (viewer, circle) entry is loaded from the events table on first use and merged with the
/// views recorded since the entry was made. Writers that bypass `ViewRecorder` (bulk seeding)
/// call `removeAll()` after they commit.
///
/// Bounded twice: at most `entriesMax` entries (two generations: an entry not used during a
/// whole generation is dropped and reloaded when needed), and at most `viewsPerEntryMax` views
/// per entry (the oldest go first; past that many a viewer's oldest views stop counting as seen).
final class SeenPostsIndex: Sendable {
    static let entriesMax = 100_000
    static let viewsPerEntryMax = 5_000

    struct Key: Hashable, Sendable {
        var viewerID: UserID
        var circleID: CircleID
    }

    struct View: Hashable, Sendable {
        var postID: Int64
        var atEpochSeconds: Int64
    }

    struct Entry: Sendable {
        /// Whether the views from the events table have been merged in.
        var isLoaded = false
        /// In recording order (time order, give or take concurrent requests).
        var views: [View] = []

        mutating func append(_ view: View) {
            views.append(view)
            if views.count > SeenPostsIndex.viewsPerEntryMax { views.removeFirst(views.count - SeenPostsIndex.viewsPerEntryMax) }
        }

        /// Drops views older than `oldestEpochSeconds` (they can never count again).
        mutating func prune(olderThan oldestEpochSeconds: Int64) {
            guard let first = views.first, first.atEpochSeconds < oldestEpochSeconds else { return }
            views.removeAll { $0.atEpochSeconds < oldestEpochSeconds }
        }
    }

    private struct Generations {
        var current: [Key: Entry] = [:]
        var previous: [Key: Entry] = [:]

        /// The entry, moved into the current generation.
        mutating func take(_ key: Key) -> Entry? {
            if let entry = current[key] { return entry }
            guard let entry = previous.removeValue(forKey: key) else { return nil }
            store(entry, for: key)
            return entry
        }

        mutating func store(_ entry: Entry, for key: Key) {
            if current[key] == nil && current.count >= SeenPostsIndex.entriesMax / 2 {
                previous = current
                current = [:]
            }
            current[key] = entry
        }
    }

    private let generations = Mutex(Generations())

    /// Notes views the moment they are recorded (before they are durable).
    func note(_ views: [(viewerID: UserID, circleID: CircleID, postID: Int64)], at now: Int64) {
        generations.withLock { generations in
            for view in views {
                let key = Key(viewerID: view.viewerID, circleID: view.circleID)
                var entry = generations.take(key) ?? Entry()
                entry.append(View(postID: view.postID, atEpochSeconds: now))
                generations.store(entry, for: key)
            }
        }
    }

    /// Posts `viewer` saw in `circle` in [`since`, `before`); `load` reads the events table
    /// (views at or after `since`) when the entry has not been loaded yet.
    func seenPostIDs(_ viewer: UserID, circle: CircleID, since: Int64, before: Int64, load: () throws -> [View]) rethrows -> Set<Int64> {
        let key = Key(viewerID: viewer, circleID: circle)
        let cached = generations.withLock { generations -> Entry? in
            guard var entry = generations.take(key), entry.isLoaded else { return nil }
            entry.prune(olderThan: since)
            generations.store(entry, for: key)
            return entry
        }
        let entry: Entry
        if let cached {
            entry = cached
        } else {
            // Read outside the lock; a concurrent loader may win, and then its entry is used.
            let stored = try load()
            entry = generations.withLock { generations -> Entry in
                var entry = generations.take(key) ?? Entry()
                guard !entry.isLoaded else { return entry }
                // Views noted since the entry was made may also be in `stored` already.
                let noted = Set(entry.views)
                var merged = stored.filter { !noted.contains($0) }
                merged.append(contentsOf: entry.views)
                merged.sort { $0.atEpochSeconds < $1.atEpochSeconds }
                entry.views = []
                for view in merged { entry.append(view) }
                entry.isLoaded = true
                generations.store(entry, for: key)
                return entry
            }
        }
        var seen = Set<Int64>(minimumCapacity: entry.views.count)
        for view in entry.views where view.atEpochSeconds >= since && view.atEpochSeconds < before { seen.insert(view.postID) }
        return seen
    }

    /// Forgets everything: the next read of each entry reloads it from the events table.
    func removeAll() {
        generations.withLock { $0 = Generations() }
    }
}
