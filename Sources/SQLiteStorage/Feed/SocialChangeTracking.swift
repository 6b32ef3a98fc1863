import Core
import GRDB

/// Tells `SocialSignalCache` whose friendships or affinities a commit changed. Temporary
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
    /// tables exist (after migrations).
    static func install(on pool: DatabasePool, cache: SocialSignalCache) throws {
        let tracking = SocialChangeTracking(cache: cache)
        try pool.writeWithoutTransaction { db in
            db.add(function: DatabaseFunction(functionName, argumentCount: 1, pure: false) { values in
                if let id = Int64.fromDatabaseValue(values[0]) { tracking.changed.insert(UserID(id)) }
                return nil
            })
            for (table, column) in [("affinities", "viewer_id"), ("friendships", "user_id")] {
                for (event, row) in [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")] {
                    try db.execute(sql: """
                        CREATE TEMP TRIGGER IF NOT EXISTS quanzi_\(table)_\(event.lowercased())_tracking
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
