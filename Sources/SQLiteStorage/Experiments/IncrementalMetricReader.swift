import Core
import Experiments
import GRDB
import StorageModel
import Synchronization

/// A metric reader that keeps each experiment's tally between calls and reads only the rows
/// added since: the watcher looks every few minutes, and a full pass over a long simulation's
/// events at every look made the looks cost more than the simulated users.
///
/// Exact on SQLite, where one writer hands out row ids in commit order: every events and
/// page_views row with an id above the last one read is new, whenever its `at` (views are
/// written behind the page that showed them). A user's exposure is committed before anything the
/// experiment made them do, so new exposures are added to the tally before the new rows. It
/// starts again from scratch when what it counts changes (the metrics, the forced users, the
/// end time, the phase), and always reads fully for CUPED, whose covariate lies before each exposure.
public final class IncrementalMetricReader: MetricReading {
    let database: QuanziDatabase

    private struct Progress {
        var tally: MetricTally
        var lastEventID: Int64
        var lastPageID: Int64
        var forced: Set<UserID>
        var metricIDs: [String]
        var phase: Int
        var before: Int64?
        var forcedExcluded: Int
    }

    private let progress = Mutex<[String: Progress]>([:])

    public init(database: QuanziDatabase) { self.database = database }

    public func observations(for spec: ExperimentSpec, metrics: [MetricDefinition], excluding forced: Set<UserID>, before: Int64?,
                             splitByVersion: Bool) throws -> MetricObservations
    {
        if spec.preperiodDays > 0 {
            return try MetricReader(database: database).observations(
                for: spec, metrics: metrics, excluding: forced, before: before, splitByVersion: splitByVersion)
        }
        let metricIDs = metrics.map(\.id)
        let previous = progress.withLock { $0[spec.id] }
        var current: Progress
        if let previous, previous.forced == forced, previous.metricIDs == metricIDs, previous.phase == spec.phase, previous.before == before {
            current = previous
        } else {
            current = Progress(tally: MetricTally(spec: spec, metrics: metrics, exposures: []), lastEventID: 0, lastPageID: 0, forced: forced,
                               metricIDs: metricIDs, phase: spec.phase, before: before, forcedExcluded: 0)
        }
        try database.read { db in
            let exposures = try ExperimentStore.exposures(of: spec.id, phase: spec.phase, in: db)
            current.forcedExcluded = exposures.count(where: { forced.contains($0.userID) })
            current.tally.addExposures(exposures.filter { !forced.contains($0.userID) })
            let end = before ?? Int64.max
            let events = try Row.fetchCursor(
                db, sql: """
                    SELECT id, kind, user_id, target_user_id, at, amount_fen FROM events
                    WHERE id > ? AND at < ? AND kind <> 'post.viewed' ORDER BY id
                    """, arguments: [current.lastEventID, end])
            var lastEvent = current.lastEventID
            while let row = try events.next() {
                lastEvent = row[0]
                current.tally.add(kind: row[1], userID: row[2], targetUserID: row[3], at: row[4], amountFen: row[5])
            }
            // Rows past `end` are skipped, not consumed: the next read starts after the last id
            // of any row, so take the table's highest id as read.
            current.lastEventID = max(lastEvent, try Int64.fetchOne(db, sql: "SELECT max(id) FROM events") ?? 0)
            if current.tally.readsViewedPages {
                let pages = try Row.fetchCursor(
                    db, sql: "SELECT id, viewer_id, author_ids, at FROM page_views WHERE id > ? AND at < ? ORDER BY id",
                    arguments: [current.lastPageID, end])
                while let row = try pages.next() {
                    current.tally.addViewedPage(viewerID: row[1], authorIDs: try PageViewLog.decode(row[2]), at: row[3])
                }
            }
            current.lastPageID = try Int64.fetchOne(db, sql: "SELECT max(id) FROM page_views") ?? 0
        }
        progress.withLock { $0[spec.id] = current }
        return current.tally.result(forcedUsersExcluded: current.forcedExcluded, splitByVersion: splitByVersion)
    }
}
