import Core
import PostgresNIO
import Social

/// Viewer→author affinity on PostgreSQL (Storage's `AffinityStore`), updated in the same
/// transaction as each interaction.
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
        try database.write { session in try Self.bump(viewer: viewer, author: author, interaction, at: now, session) }
    }

    /// The decay is Swift (`Affinity.decayed`), so the row is read, then written: the first
    /// statement creates the row if missing (score 0) or locks it, and returns it, so a bump on
    /// another node waits for this one instead of losing it.
    static func bump(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at now: Int64, _ session: PostgresSession) throws {
        guard viewer != author else { return }
        let current = try session.row(
            """
            INSERT INTO affinities (viewer_id, author_id, score, updated_at) VALUES (\(viewer.rawValue), \(author.rawValue), 0, \(now))
            ON CONFLICT (viewer_id, author_id) DO UPDATE SET score = affinities.score
            RETURNING score, updated_at
            """, as: (Double, Int64).self)
        guard let (score, updatedAt) = current else { throw PostgresStorageCorrupt(reason: "affinity upsert returned no row") }
        let previous = Affinity.decayed(score, updatedAtEpochSeconds: updatedAt, nowEpochSeconds: now)
        try session.execute(
            """
            UPDATE affinities SET score = \(previous + interaction.weight), updated_at = \(now)
            WHERE viewer_id = \(viewer.rawValue) AND author_id = \(author.rawValue)
            """)
    }
}
