import Core
import Logging
import PostgresNIO
import Social
import StorageModel

/// Viewer→author affinity on PostgreSQL (SQLiteStorage's `AffinityStore`), updated in the same
/// transaction as each interaction. Every write forgets the viewers' cached signals on this node
/// after it (even when its outcome is unknown); a batch (the money's affinity, written behind
/// it) also appends an `affinity.changed` event naming its viewers, which tells other nodes'
/// followers to forget theirs. Likes and comments need none: their events name the viewer.
public struct PostgresAffinityStore: Sendable {
    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    /// Affinity in [0, 1) of `viewer` for `author` at `now`.
    public func affinity(from viewer: UserID, to author: UserID, at now: Int64) throws -> Double {
        try database.unsafeRead { session in
            guard
                let (score, updatedAt) = try session.row(
                    "SELECT score, updated_at FROM affinities WHERE viewer_id = \(viewer.rawValue) AND author_id = \(author.rawValue)",
                    as: (Double, Int64).self)
            else { return 0 }
            return Affinity.normalized(Affinity.decayed(score, updatedAtEpochSeconds: updatedAt, nowEpochSeconds: now))
        }
    }

    /// Records an interaction that happened outside a social write (transfers, red packets).
    public func bump(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at now: Int64) throws {
        defer { database.socialSignalCache.invalidate([viewer]) }
        try database.write { session in try Self.bump(viewer: viewer, author: author, interaction, at: now, session) }
    }

    public func bump(_ bumps: [AffinityBump]) throws {
        let viewers = Array(Set(bumps.lazy.filter { $0.viewer != $0.author }.map(\.viewer))).sorted { $0.rawValue < $1.rawValue }
        guard !viewers.isEmpty else { return }
        defer { database.socialSignalCache.invalidate(viewers) }
        let now = bumps.map(\.atEpochSeconds).max() ?? 0
        try database.write { session in
            try Self.bump(bumps.map(Bump.init), session)
            try PostgresEventLog.append(Self.changedEvents(viewers, at: now), in: session)
        }
    }

    /// Viewers named per `affinity.changed` event at most (a write-behind batch may hold
    /// thousands): each event's context stays a few kilobytes.
    static let viewersPerEventMax = 500

    /// The `affinity.changed` events that name `viewers` (`{"viewers":[…]}`).
    static func changedEvents(_ viewers: [UserID], at now: Int64) -> [Event] {
        stride(from: 0, to: viewers.count, by: viewersPerEventMax).map { start in
            let chunk = viewers[start..<min(start + viewersPerEventMax, viewers.count)]
            return Event(kind: .affinityChanged, at: now, context: AffinityChange.context(viewers: Array(chunk)))
        }
    }

    /// One interaction of `viewer` with `author`.
    struct Bump {
        var viewer: UserID
        var author: UserID
        var interaction: Affinity.Interaction
        var at: Int64

        init(viewer: UserID, author: UserID, interaction: Affinity.Interaction, at: Int64) {
            self.viewer = viewer
            self.author = author
            self.interaction = interaction
            self.at = at
        }

        init(_ bump: AffinityBump) {
            self.init(viewer: bump.viewer, author: bump.author, interaction: bump.interaction, at: bump.atEpochSeconds)
        }
    }

    static func bump(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at now: Int64, _ session: PostgresSession) throws {
        try bump([Bump(viewer: viewer, author: author, interaction: interaction, at: now)], session)
    }

    /// Applies `bumps` in order, in three statements however many there are (see ``BumpStatements``).
    static func bump(_ bumps: [Bump], _ session: PostgresSession) throws {
        guard let statements = BumpStatements(bumps) else { return }
        try session.execute(statements.createMissing)
        let rows = try session.rows(statements.lockRows, as: (Int64, Int64, Double, Int64).self)
        try session.execute(try statements.update(lockedRows: rows))
    }

    /// The same inside a pipelined transaction (the wallet's: money's affinity commits with it).
    static func bump(_ bumps: [Bump], in pipeline: PostgresPipeline) async throws {
        guard let statements = BumpStatements(bumps) else { return }
        pipeline.sendWrite(statements.createMissing)
        let rows = try await pipeline.rows(pipeline.sendRead(statements.lockRows), as: (Int64, Int64, Double, Int64).self)
        pipeline.sendWrite(try statements.update(lockedRows: rows))
    }

    /// The three statements of a set of bumps. The decay is Swift (`Affinity.decayed`), so rows
    /// are read, then written: the first statement creates each missing row (score 0, at its
    /// first bump) and leaves existing ones alone; the second locks every row and returns it, so a
    /// bump on another node waits for this one instead of losing it; the third writes the new
    /// scores. Rows are locked in key order, so two transactions bumping the same pairs cannot
    /// deadlock. (Creating and locking in one `ON CONFLICT DO UPDATE` wrote every existing row
    /// twice, a new row version each time: the bench's transfers spent more of PostgreSQL's time
    /// on affinities than on the ledger.) Separate statements, because one statement's snapshot
    /// would not see a row another transaction created while it waited.
    struct BumpStatements {
        let bumps: [Bump]
        let pairs: [Pair]
        let createMissing: PostgresQuery
        let lockRows: PostgresQuery

        /// `nil` when no bump changes anything (a user's affinity for themselves is not kept).
        init?(_ bumps: [Bump]) {
            let bumps = bumps.filter { $0.viewer != $0.author }
            var firstAt: [Pair: Int64] = [:]
            for bump in bumps where firstAt[Pair(bump)] == nil { firstAt[Pair(bump)] = bump.at }
            guard !firstAt.isEmpty else { return nil }
            let pairs = firstAt.keys.sorted { ($0.viewer, $0.author) < ($1.viewer, $1.author) }
            self.bumps = bumps
            self.pairs = pairs
            createMissing = """
                INSERT INTO affinities (viewer_id, author_id, score, updated_at)
                SELECT v, a, 0, t FROM unnest(\(pairs.map(\.viewer))::bigint[], \(pairs.map(\.author))::bigint[],
                  \(pairs.map { firstAt[$0] ?? 0 })::bigint[]) AS p(v, a, t)
                ORDER BY v, a
                ON CONFLICT (viewer_id, author_id) DO NOTHING
                """
            lockRows = """
                SELECT f.viewer_id, f.author_id, f.score, f.updated_at
                FROM affinities f JOIN unnest(\(pairs.map(\.viewer))::bigint[], \(pairs.map(\.author))::bigint[]) AS p(v, a)
                  ON f.viewer_id = p.v AND f.author_id = p.a
                ORDER BY f.viewer_id, f.author_id
                FOR UPDATE OF f
                """
        }

        /// The update that applies every bump to the rows ``lockRows`` returned.
        func update(lockedRows rows: [(Int64, Int64, Double, Int64)]) throws -> PostgresQuery {
            var current: [Pair: (score: Double, updatedAt: Int64)] = [:]
            for (viewer, author, score, updatedAt) in rows { current[Pair(viewer: viewer, author: author)] = (score, updatedAt) }
            guard current.count == pairs.count else { throw PostgresStorageCorrupt(reason: "affinity upsert returned no row") }
            for bump in bumps {
                guard let (score, updatedAt) = current[Pair(bump)] else { continue }
                let previous = Affinity.decayed(score, updatedAtEpochSeconds: updatedAt, nowEpochSeconds: bump.at)
                current[Pair(bump)] = (previous + bump.interaction.weight, bump.at)
            }
            let scores = pairs.map { current[$0] ?? (0, 0) }
            return """
                UPDATE affinities SET score = s.score, updated_at = s.at
                FROM unnest(\(pairs.map(\.viewer))::bigint[], \(pairs.map(\.author))::bigint[], \(scores.map { $0.score })::float8[],
                  \(scores.map { $0.updatedAt })::bigint[]) AS s(v, a, score, at)
                WHERE viewer_id = s.v AND author_id = s.a
                """
        }
    }

    struct Pair: Hashable {
        var viewer: Int64
        var author: Int64

        init(viewer: Int64, author: Int64) {
            self.viewer = viewer
            self.author = author
        }

        init(_ bump: Bump) { self.init(viewer: bump.viewer.rawValue, author: bump.author.rawValue) }
    }
}
