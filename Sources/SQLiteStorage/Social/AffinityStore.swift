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

    static func bump(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at now: Int64, _ db: Database) throws {
        guard viewer != author else { return }
        let existing = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT score, updated_at FROM affinities WHERE viewer_id = ? AND author_id = ?"),
            arguments: [viewer.rawValue, author.rawValue])
        let previous = existing.map { Affinity.decayed($0[0], updatedAtEpochSeconds: $0[1], nowEpochSeconds: now) } ?? 0
        try db.cachedStatement(sql: """
            INSERT INTO affinities (viewer_id, author_id, score, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT(viewer_id, author_id) DO UPDATE SET score = excluded.score, updated_at = excluded.updated_at
            """).execute(arguments: [viewer.rawValue, author.rawValue, previous + interaction.weight, now])
    }
}
