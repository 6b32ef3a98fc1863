import Core
import GRDB
import Social

/// Tells `SocialSignalCache` whose friendships, affinities, blocks or mutes a commit changed. Temporary
/// triggers on the writer connection call a function with each changed row's viewer; the ids
/// collect during the transaction and are invalidated once it commits (dropped if it rolls
/// back). Triggers rather than calls in each store: every path that writes these tables
/// (stores, bulk seeding, a future one) is covered without remembering to.
final class SocialChangeTracking: TransactionObserver, @unchecked Sendable {
    static let functionName = "quanzi_social_changed"
    static let affinityFunctionName = "quanzi_affinity_written"
    static let showLessFunctionName = "quanzi_show_less_written"

    private let cache: SocialSignalCache
    /// Touched only on the writer connection's queue (trigger calls and commit hooks).
    private var changed: Set<UserID> = []
    /// Viewers whose held affinities were written in place since `writeBegan` (`forgetAtChange`).
    private var updatedInPlace: Set<UserID> = []

    init(cache: SocialSignalCache) { self.cache = cache }

    /// A grouped write begins (`.singleThread`): affinities written in place from now on are the
    /// write's own.
    func writeBegan() { updatedInPlace = [] }

    /// A grouped write was undone (its savepoint rolled back): what it wrote in place is forgotten,
    /// so the next read loads what the database holds again.
    func writeUndone() {
        cache.invalidate(updatedInPlace)
        updatedInPlace = []
    }

    /// Installs the function, the triggers and the observer on the writer. Call once the
    /// tables exist (after migrations). `forgetAtChange`: forget a viewer as the row changes
    /// rather than at the commit, for a database whose reads run on the writer and see its
    /// uncommitted writes (`QuanziDatabase.Access.singleThread`). Forgetting a viewer whose change
    /// is then rolled back costs one more read, nothing else.
    ///
    /// With `forgetAtChange`, a written affinity row is also written into the held entry instead of
    /// forgetting the viewer: in a simulation every like, comment and tip writes one, and reloading
    /// the viewer's signals at their next page was a quarter of the feed's time (perf, 16,000 users
    /// × 2 days). A new "show less" mark is counted in place the same way: reloading after each
    /// was 3% of a late simulated day (perf, 100,000 users, day 13). The write's undo forgets
    /// them (`writeUndone`).
    @discardableResult
    static func install(on pool: DatabasePool, cache: SocialSignalCache, forgetAtChange: Bool = false) throws -> SocialChangeTracking {
        let tracking = SocialChangeTracking(cache: cache)
        try pool.writeWithoutTransaction { db in
            db.add(function: DatabaseFunction(functionName, argumentCount: 1, pure: false) { values in
                guard let id = Int64.fromDatabaseValue(values[0]) else { return nil }
                if forgetAtChange { cache.invalidate([UserID(id)]) } else { tracking.changed.insert(UserID(id)) }
                return nil
            })
            var tracked = [("friendships", "user_id"), ("blocks", "blocker_id"), ("blocks", "blocked_id"), ("mutes", "muter_id")]
            if forgetAtChange {
                db.add(function: DatabaseFunction(affinityFunctionName, argumentCount: 4, pure: false) { values in
                    guard let viewer = Int64.fromDatabaseValue(values[0]), let author = Int64.fromDatabaseValue(values[1]),
                          let score = Double.fromDatabaseValue(values[2]), let updatedAt = Int64.fromDatabaseValue(values[3])
                    else { return nil }
                    tracking.updatedInPlace.insert(UserID(viewer))
                    cache.updateAffinity(
                        of: UserID(viewer), SocialSignals.StoredAffinity(authorID: UserID(author), score: score, updatedAtEpochSeconds: updatedAt))
                    return nil
                })
                db.add(function: DatabaseFunction(showLessFunctionName, argumentCount: 3, pure: false) { values in
                    guard let viewer = Int64.fromDatabaseValue(values[0]), let author = Int64.fromDatabaseValue(values[1]) else { return nil }
                    tracking.updatedInPlace.insert(UserID(viewer))
                    let kind = String.fromDatabaseValue(values[2]).flatMap(PostKind.init(rawValue:))
                    cache.addShowLess(of: UserID(viewer), author: UserID(author), kind: kind)
                    return nil
                })
                try db.execute(sql: """
                    CREATE TEMP TRIGGER IF NOT EXISTS quanzi_show_less_marks_insert_in_place
                    AFTER INSERT ON main.show_less_marks
                    BEGIN SELECT \(showLessFunctionName)(NEW.user_id, NEW.author_id, (SELECT kind FROM main.posts WHERE id = NEW.post_id)); END
                    """)
                for event in ["UPDATE", "DELETE"] {
                    let row = event == "DELETE" ? "OLD" : "NEW"
                    try db.execute(sql: """
                        CREATE TEMP TRIGGER IF NOT EXISTS quanzi_show_less_marks_user_id_\(event.lowercased())_tracking
                        AFTER \(event) ON main.show_less_marks
                        BEGIN SELECT \(functionName)(\(row).user_id); END
                        """)
                }
                for event in ["INSERT", "UPDATE"] {
                    try db.execute(sql: """
                        CREATE TEMP TRIGGER IF NOT EXISTS quanzi_affinities_\(event.lowercased())_in_place
                        AFTER \(event) ON main.affinities
                        BEGIN SELECT \(affinityFunctionName)(NEW.viewer_id, NEW.author_id, NEW.score, NEW.updated_at); END
                        """)
                }
                try db.execute(sql: """
                    CREATE TEMP TRIGGER IF NOT EXISTS quanzi_affinities_viewer_id_delete_tracking
                    AFTER DELETE ON main.affinities
                    BEGIN SELECT \(functionName)(OLD.viewer_id); END
                    """)
            } else {
                tracked.insert(("affinities", "viewer_id"), at: 0)
                tracked.append(("show_less_marks", "user_id"))
            }
            // A block hides each of its two users from the other's feeds; a mute, the muted from the muter's.
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
        return tracking
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
