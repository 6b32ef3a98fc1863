import Core
import Experiments
import NIOConcurrencyHelpers
import PostgresNIO
import StorageModel

/// Reads what an experiment's metrics need from the events and viewed pages in streaming passes on
/// PostgreSQL (SQLiteStorage's `MetricReader`, sharing its `MetricTally`). Rows are counted as they
/// arrive and never held, so memory grows with exposed users, not events.
public struct PostgresMetricReader: Sendable {
    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    public typealias Result = MetricObservations

    /// Observations per variant for `metrics` over the users exposed in `spec.phase`, counting
    /// only events after each user's exposure in it (and, for CUPED, the `preperiodDays` before it
    /// as the covariate). `before`: only events before this time (a stopped experiment ends at its stop).
    public func observations(for spec: ExperimentSpec, metrics: [MetricDefinition], excluding forced: Set<UserID>, before: Int64?,
                             splitByVersion: Bool) throws -> Result
    {
        let phase = try PostgresExperimentStore(database: database).exposures(of: spec.id, phase: spec.phase)
        let exposures = phase.filter { !forced.contains($0.userID) }
        let tally = MetricTally(spec: spec, metrics: metrics, exposures: exposures)
        // Rows arrive on the connection's event loop, one at a time and in order, while this
        // thread waits; the lock only hands the tally across threads.
        let box = NIOLockedValueBox(tally)
        try database.unsafeRead { session in
            try session.stream(
                """
                SELECT kind, user_id, target_user_id, at, amount_fen FROM events
                WHERE at >= \(tally.earliest) AND at < \(before ?? Int64.max) AND kind <> 'post.viewed'
                """
            ) { row in
                let (kind, user, target, at, amountFen) = try row.decode((String, Int64?, Int64?, Int64, Int64?).self)
                box.withLockedValue { $0.add(kind: kind, userID: user, targetUserID: target, at: at, amountFen: amountFen) }
            }
            // Views from `page_views` alone: `post.viewed` events are only the earlier copies
            // migration v4 moved there.
            guard tally.readsViewedPages else { return }
            try session.stream(
                """
                SELECT viewer_id, author_ids, at FROM page_views
                WHERE at >= \(tally.earliest) AND at < \(before ?? Int64.max)
                """
            ) { row in
                let (viewer, authors, at) = try row.decode((Int64, [Int64], Int64).self)
                box.withLockedValue { $0.addViewedPage(viewerID: viewer, authorIDs: authors, at: at) }
            }
        }
        return box.withLockedValue { $0.result(forcedUsersExcluded: phase.count - exposures.count, splitByVersion: splitByVersion) }
    }
}
