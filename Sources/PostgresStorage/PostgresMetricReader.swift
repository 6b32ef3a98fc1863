import Core
import Experiments
import NIOConcurrencyHelpers
import PostgresNIO
import StorageModel

/// Reads what an experiment's metrics need on PostgreSQL: the database totals each exposed user's
/// events by the tally's sums (`PostgresMetricSums`) and only those totals travel, one row per
/// user and attribution, into the `MetricTally` SQLiteStorage's `MetricReader` streams events
/// into. Memory grows with exposed users, not events.
public struct PostgresMetricReader: Sendable {
    let database: QuanziPostgresDatabase

    /// The aggregation's memory per hash table (PostgreSQL's default, 4 MB, spills 100,000 users'
    /// totals to disk); a planner setting for this statement's transaction only.
    public static let workMemMiB = 256

    public init(database: QuanziPostgresDatabase) { self.database = database }

    public typealias Result = MetricObservations

    /// Observations per variant for `metrics` over the users exposed in `spec.phase`, counting
    /// only events after each user's exposure in it (and, for CUPED, the `preperiodDays` before it
    /// as the covariate). `before`: only events before this time (a stopped experiment ends at its stop).
    public func observations(for spec: ExperimentSpec, metrics: [MetricDefinition], excluding forced: Set<UserID>, before: Int64?,
                             splitByVersion: Bool) throws -> Result
    {
        let (tally, forcedExcluded) = try database.read { session in
            let phase = try PostgresExperimentStore.exposures(of: spec.id, phase: spec.phase, in: session)
            let exposures = phase.filter { !forced.contains($0.userID) }
            let tally = MetricTally(spec: spec, metrics: metrics, exposures: exposures)
            guard let sums = try PostgresMetricSums(tally: tally, experiment: spec.id, phase: spec.phase, before: before) else {
                return (tally, phase.count - exposures.count)
            }
            // JIT compiling this statement's many FILTER expressions took longer (1–4 s) than
            // it saved over 10 million events.
            try session.execute("SET LOCAL jit = off")
            try session.execute(PostgresQuery(unsafeSQL: "SET LOCAL work_mem = '\(Self.workMemMiB)MB'"))
            // Rows arrive on the connection's event loop, one at a time and in order, while this
            // thread waits; the lock only hands the tally across threads.
            let box = NIOLockedValueBox(tally)
            try session.stream(sums.query) { row in try box.withLockedValue { try sums.add(row, to: &$0) } }
            // A per-event quantile needs each event's value, not a total: its events of exposed
            // users, since their exposure, travel one row each.
            for quantile in tally.perEventQuantiles {
                guard MetricDefinition.valueFields.contains(quantile.valueField) else { continue }
                let owner = quantile.attribution == .actor ? "e.user_id" : "e.target_user_id"
                var binds = PostgresBindings()
                binds.append(quantile.event)
                binds.append(spec.id)
                binds.append(Int64(spec.phase))
                binds.append(before ?? Int64.max)
                let query = PostgresQuery(unsafeSQL: """
                    SELECT \(owner), e.at, e.\(quantile.valueField)::float8 FROM events e
                    JOIN exposures x ON x.user_id = \(owner) AND x.experiment_id = $2 AND x.phase = $3
                    WHERE e.kind = $1 AND e.at >= x.first_exposed_at AND e.at < $4 AND e.\(quantile.valueField) IS NOT NULL
                    """, binds: binds)
                try session.stream(query) { row in
                    let (owner, at, value) = try row.decode((Int64, Int64, Double).self)
                    box.withLockedValue { $0.addEventValue(metric: quantile.metric, owner: owner, at: at, value: value) }
                }
            }
            return (box.withLockedValue { $0 }, phase.count - exposures.count)
        }
        return tally.result(forcedUsersExcluded: forcedExcluded, splitByVersion: splitByVersion)
    }
}
