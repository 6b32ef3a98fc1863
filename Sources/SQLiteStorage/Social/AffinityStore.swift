import Core
import GRDB
import Social

/// Viewer→author affinity, updated in the same transaction as each interaction.
public struct AffinityStore: Sendable {
    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    /// Affinity in [0, 1) of `viewer` for `author` at `now`.
    public func affinity(from viewer: UserID, to author: UserID, at now: Int64) throws -> Double {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT score, updated_at FROM affinities WHERE viewer_id = ? AND author_id = ?",
                                             arguments: [viewer.rawValue, author.rawValue]) else { return 0 }
            return Affinity.normalized(Affinity.decayed(row["score"], updatedAtEpochSeconds: row["updated_at"], nowEpochSeconds: now))
        }
    }

    /// Records an interaction that happened outside a social write (transfers, red packets).
    public func bump(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at now: Int64) throws {
        try database.write { db in try Self.bump(viewer: viewer, author: author, interaction, at: now, db) }
    }

    /// Cached statements: a money batch bumps two pairs per transfer, and preparing the SQL each
    /// time cost more than the transfer itself.
    public func bump(_ bumps: [AffinityBump]) throws {
        try database.write { db in
            for bump in bumps { try Self.bump(viewer: bump.viewer, author: bump.author, bump.interaction, at: bump.atEpochSeconds, db) }
        }
    }

    /// One statement: a new pair starts at the interaction's weight; an existing one is decayed to
    /// `now` and raised by it (`bumpedFunction`, so the decay stays `Affinity.decayed`). A read of
    /// the old row and then the upsert were a quarter of a simulated like.
    static func bump(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at now: Int64, _ db: Database) throws {
        guard viewer != author else { return }
        try db.cachedStatement(sql: """
            INSERT INTO affinities (viewer_id, author_id, score, updated_at) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT(viewer_id, author_id) DO UPDATE SET score = \(bumpedFunction.name)(score, updated_at, ?4, ?3), updated_at = ?4
            """).execute(arguments: [viewer.rawValue, author.rawValue, interaction.weight, now])
    }

    /// `quanzi_affinity_bumped(score, updated_at, now, weight)`: a stored score decayed from
    /// `updated_at` to `now`, plus `weight`. Added to every connection (`QuanziDatabase`).
    static let bumpedFunction = DatabaseFunction("quanzi_affinity_bumped", argumentCount: 4, pure: true) { values in
        guard let score = Double.fromDatabaseValue(values[0]), let updatedAt = Int64.fromDatabaseValue(values[1]),
              let now = Int64.fromDatabaseValue(values[2]), let weight = Double.fromDatabaseValue(values[3])
        else { return nil }
        return Affinity.decayed(score, updatedAtEpochSeconds: updatedAt, nowEpochSeconds: now) + weight
    }
}
