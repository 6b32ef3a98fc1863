import Core
import Experiments
import GRDB

/// Reads what an experiment's metrics need from the events and viewed pages in streaming passes
/// (`MetricTally`, shared with PostgreSQL). Memory grows with exposed users, never with events.
public struct MetricReader: Sendable {
    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    public typealias Result = MetricObservations

    /// Observations per variant for `metrics` over the users exposed in `spec.phase`, counting
    /// only events after each user's exposure in it (and, for CUPED, the `preperiodDays` before it
    /// as the covariate). `before`: only events before this time (a stopped experiment ends at its
    /// stop: afterwards everyone gets control, and later behaviour is no longer the treatment's).
    public func observations(for spec: ExperimentSpec, metrics: [MetricDefinition], excluding forced: Set<UserID>, before: Int64?,
                             splitByVersion: Bool) throws -> Result
    {
        let phase = try ExperimentStore(database: database).exposures(of: spec.id, phase: spec.phase)
        let exposures = phase.filter { !forced.contains($0.userID) }
        let forcedExcluded = phase.count - exposures.count
        var tally = MetricTally(spec: spec, metrics: metrics, exposures: exposures)
        // Sequential passes over the rows since the earliest relevant time: a scan per
        // event kind through the (kind, at) index would fetch each row from the table at random.
        // Views are read from `page_views` alone: `post.viewed` events are only the earlier copies
        // migration v4 moved there.
        try database.read { db in
            let range: StatementArguments = [tally.earliest, before ?? Int64.max]
            let events = try Row.fetchCursor(
                db, sql: """
                    SELECT kind, user_id, target_user_id, at, amount_fen FROM events
                    WHERE at >= ? AND at < ? AND kind <> 'post.viewed'
                    """, arguments: range)
            while let row = try events.next() {
                tally.add(kind: row[0], userID: row[1], targetUserID: row[2], at: row[3], amountFen: row[4])
            }
            guard tally.readsViewedPages else { return }
            let pages = try Row.fetchCursor(
                db, sql: "SELECT viewer_id, author_ids, at FROM page_views WHERE at >= ? AND at < ?", arguments: range)
            while let row = try pages.next() {
                tally.addViewedPage(viewerID: row[0], authorIDs: try PageViewLog.decode(row[1]), at: row[2])
            }
        }
        return tally.result(forcedUsersExcluded: forcedExcluded, splitByVersion: splitByVersion)
    }
}
