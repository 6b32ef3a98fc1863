import Core
import GRDB

/// Tells `SocialSignalCache` whose friendships, affinities, blocks or mutes a commit changed. Temporary
/// triggers on the writer connection call a function with each changed row's viewer; the ids
/// collect during the transaction and are invalidated once it commits (dropped if it rolls
/// back). Triggers rather than calls in each store: every path that writes these tables
/// (stores, bulk seeding, a future one) is covered without remembering to.
final class SocialChangeTracking: TransactionObserver, @unchecked Sendable {
    static let functionName = "quanzi_social_changed"

    private let cache: SocialSignalCache
    /// Touched only on the writer connection's queue (trigger calls and commit hooks).
    private var changed: Set<UserID> = []

    init(cache: SocialSignalCache) { self.cache = cache }

    /// Installs the function, the triggers and the observer on the writer. Call once the
    /// tables exist (after migrations). `forgetAtChange`: forget a viewer as the row changes
    /// rather than at the commit, for a database whose reads run on the writer and see its
    /// uncommitted writes (`QuanziDatabase.Access.singleThread`). Forgetting a viewer whose change
    /// is then rolled back costs one more read, nothing else.
    static func install(on pool: DatabasePool, cache: SocialSignalCache, forgetAtChange: Bool = false) throws {
        let tracking = SocialChangeTracking(cache: cache)
        try pool.writeWithoutTransaction { db in
            db.add(function: DatabaseFunction(functionName, argumentCount: 1, pure: false) { values in
                guard let id = Int64.fromDatabaseValue(values[0]) else { return nil }
                if forgetAtChange { cache.invalidate([UserID(id)]) } else { tracking.changed.insert(UserID(id)) }
                return nil
            })
            // A block hides each of its two users from the other's feeds; a mute, the muted from the muter's.
            let tracked = [
                ("affinities", "viewer_id"), ("friendships", "user_id"), ("blocks", "blocker_id"), ("blocks", "blocked_id"),
                ("mutes", "muter_id"), ("show_less_marks", "user_id"),
            ]
            for (table, column) in tracked {
                for (event, row) in [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")] {
                    try db.execute(sql: """
                        CREATE TEMP TRIGGER IF NOT EXISTS quanzi_\(table)_\(column)_\(event.lowercased())_tracking
                        AFTER \(event) ON main.\(table)
                        BEGIN SELECT \(functionName)(\(row).\(column)); END
                        """)
                }
            }
            db.add(transactionObserver: tracking, extent: .databaseLifetime)
        }
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}

    func databaseDidCommit(_ db: Database) {
        guard !changed.isEmpty else { return }
        cache.invalidate(changed)
        changed = []
    }

    func databaseDidRollback(_ db: Database) { changed = [] }
}
