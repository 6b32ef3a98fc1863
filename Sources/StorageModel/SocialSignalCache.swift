import Core
import Social

/// Viewers' `SocialSignals` held in memory, on both backends: every feed request read them from
/// two tables. Friendships and affinities change (likes, comments, tips, accepted requests), so
/// entries are invalidated after each commit that touches a viewer's rows: on SQLite
/// `SocialChangeTracking` learns which from triggers, whatever code path wrote them; on
/// PostgreSQL the stores invalidate after their own commits and the service's `FeedFollower`
/// after other nodes' (from the events those commits wrote).
///
/// Bounded: at most `entriesMax` viewers (two generations of half each: when the current one is
/// full it becomes the previous one and the old previous one is dropped; a hit in the previous
/// generation moves the entry forward), each holding its friends and affinities.
///
/// A read that started before such a commit must not put its stale copy back: each
/// invalidation takes a ticket number, and a loaded entry is kept only if no invalidation of
/// its viewer came after the ticket its read began with.
public final class SocialSignalCache: Sendable {
    /// Entries held (two generations of half each); past it the oldest generation goes.
    public static let entriesMax = 100_000
    /// Invalidation stamps remembered per viewer; past it, every read older than now is refused.
    public static let stampsMax = 100_000

    private struct State {
        /// Entries held in all (see `entriesMax`).
        let entriesMax: Int
        var current: [UserID: SocialSignals] = [:]
        var previous: [UserID: SocialSignals] = [:]
        var ticket: UInt64 = 0
        /// The ticket of each viewer's latest invalidation.
        var invalidatedAt: [UserID: UInt64] = [:]
        /// Reads that began before this ticket are refused (stamps older than it were dropped).
        var ticketFloor: UInt64 = 0

        mutating func lookup(_ viewer: UserID) -> SocialSignals? {
            if let signals = current[viewer] { return signals }
            guard let signals = previous.removeValue(forKey: viewer) else { return nil }
            store(signals, for: viewer)
            return signals
        }

        mutating func store(_ signals: SocialSignals, for viewer: UserID) {
            if current[viewer] == nil && current.count >= max(1, entriesMax / 2) {
                previous = current
                current = [:]
            }
            current[viewer] = signals
        }
    }

    private let state: ReadWriteLocked<State>

    /// `entriesMax`: viewers held at most, `SocialSignalCache.entriesMax` (a server's bound) unless
    /// a simulation sizes it for its population.
    public init(entriesMax: Int = SocialSignalCache.entriesMax) {
        state = ReadWriteLocked(State(entriesMax: entriesMax))
    }

    /// The viewer's signals, from memory or from `load`.
    public func signals(of viewer: UserID, load: () throws -> SocialSignals) rethrows -> SocialSignals {
        if let current = state.read({ $0.current[viewer] }) { return current }
        let (cached, ticket) = state.write { state in (state.lookup(viewer), state.ticket) }
        if let cached { return cached }
        let loaded = try load()
        state.write { state in
            guard ticket >= state.ticketFloor, (state.invalidatedAt[viewer] ?? 0) <= ticket else { return }
            state.store(loaded, for: viewer)
        }
        return loaded
    }

    /// The viewer's signals if held now, without loading them or moving them forward.
    public func held(_ viewer: UserID) -> SocialSignals? {
        state.read { $0.current[viewer] ?? $0.previous[viewer] }
    }

    /// Called after a commit that changed these viewers' friendships or affinities.
    public func invalidate(_ viewers: some Collection<UserID>) {
        guard !viewers.isEmpty else { return }
        state.write { state in
            state.ticket += 1
            if state.invalidatedAt.count + viewers.count > Self.stampsMax {
                state.invalidatedAt = [:]
                state.ticketFloor = state.ticket
            }
            for viewer in viewers {
                state.current[viewer] = nil
                state.previous[viewer] = nil
                state.invalidatedAt[viewer] = state.ticket
            }
        }
    }

    /// Writes a viewer's stored affinity toward `author` into the held entry, if there is one
    /// (nothing is loaded for it). Only for a database whose one thread both writes and reads
    /// (`forgetAtChange` on SQLite): no read can be in flight between the write and this call, so
    /// the entry stays what a load would now return. A caller that later undoes the write must
    /// `invalidate` the viewer.
    public func updateAffinity(of viewer: UserID, _ affinity: SocialSignals.StoredAffinity) {
        state.write { state in
            func update(_ signals: inout SocialSignals) {
                if let index = signals.affinities.firstIndex(where: { $0.authorID == affinity.authorID }) {
                    signals.affinities[index] = affinity
                } else {
                    signals.affinities.append(affinity)
                }
            }
            if state.current[viewer] != nil {
                update(&state.current[viewer]!)
            } else if state.previous[viewer] != nil {
                update(&state.previous[viewer]!)
            }
        }
    }

    /// Counts a new "show less" mark of `viewer` on a post by `author` of `kind` in the held entry,
    /// if any, as `updateAffinity` writes an affinity: a load counts marks by author and by the
    /// marked post's kind (none when the post is gone). The same conditions apply.
    public func addShowLess(of viewer: UserID, author: UserID, kind: PostKind?) {
        state.write { state in
            func add(_ signals: inout SocialSignals) {
                signals.showLessByAuthor[author, default: 0] += 1
                if let kind { signals.showLessByKind[kind, default: 0] += 1 }
            }
            if state.current[viewer] != nil {
                add(&state.current[viewer]!)
            } else if state.previous[viewer] != nil {
                add(&state.previous[viewer]!)
            }
        }
    }

    /// Forgets every entry, and refuses every read already in flight (after writes whose
    /// viewers are not known: bulk loads).
    public func invalidateAll() {
        state.write { state in
            state.ticket += 1
            state.current = [:]
            state.previous = [:]
            state.invalidatedAt = [:]
            state.ticketFloor = state.ticket
        }
    }

    /// Viewers held now (both generations), for `/metrics`.
    public var entryCount: Int { state.read { $0.current.count + $0.previous.count } }
}
