import Core
import Experiments
import PostgresNIO
import StorageModel

/// A `MetricTally`'s per-user sums (`MetricTally.sums`) totalled in PostgreSQL, so only one row
/// per user and attribution travels instead of every event: for each attribution with a sum, the
/// events (and each viewed page's posts, as `post.viewed`) joined to the phase's exposures on
/// their owner and grouped by owner, each sum a `FILTER` of its kind and window. The statement is
/// derived from the sums alone; the tally combines the totals as it combines events on SQLite.
///
/// Result rows: the owner (NULL for events of users not exposed), the events read, then one total
/// per sum (NULL for the other attribution's sums, and where the owner had none).
/// The first attribution queried also counts every event read (`MetricTally.eventsRead`), through
/// a LEFT JOIN that keeps the events of users not exposed; views count one per post.
struct PostgresMetricSums {
    let query: PostgresQuery
    let sumCount: Int

    static let attributions: [MetricDefinition.Attribution] = [.actor, .target]

    /// nil when no metric reads anything.
    init?(tally: MetricTally, experiment: String, phase: Int, before: Int64?) throws(QuanziError) {
        let sums = tally.sums
        let queried = Self.attributions.filter { attribution in sums.contains { $0.attribution == attribution } }
        guard let counting = queried.first else { return nil }
        var binds = PostgresBindings()
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        let viewKind = ViewedPage.eventKind
        let range = "at >= \(tally.earliest) AND at < \(before ?? Int64.max)"
        let exposed = "SELECT user_id, first_exposed_at FROM exposures WHERE experiment_id = \(bind(experiment)) AND phase = \(bind(Int64(phase)))"
        let valueColumns = try Self.valueColumns(sums)
        var parts: [String] = []
        for attribution in queried {
            let isCounting = attribution == counting
            let own = sums.filter { $0.attribution == attribution }
            let kinds = Set(isCounting ? sums.map(\.event) : own.map(\.event))
            var sources: [String] = []
            let eventKinds = kinds.subtracting([viewKind]).sorted()
            if !eventKinds.isEmpty {
                let owner = attribution == .actor ? "user_id" : "target_user_id"
                let values = MetricDefinition.valueFields.map { "\($0)::float8 AS \($0)" }.joined(separator: ", ")
                sources.append(
                    "SELECT kind, \(owner) AS owner, at, \(values), 1 AS n FROM events WHERE \(range) AND kind = ANY(\(bind(eventKinds)))")
            }
            if kinds.contains(viewKind) {
                // Each post of a page is one view by the viewer with the post's author as target:
                // the viewer's views are the page's length, each author's need the page unrolled.
                let values = MetricDefinition.valueFields.map { "NULL::float8 AS \($0)" }.joined(separator: ", ")
                let kind = "\(bind(viewKind))::text AS kind"
                sources.append(
                    attribution == .actor
                        ? "SELECT \(kind), viewer_id AS owner, at, \(values), cardinality(author_ids) AS n FROM page_views WHERE \(range)"
                        : "SELECT \(kind), author AS owner, at, \(values), 1 AS n FROM page_views, unnest(author_ids) AS author WHERE \(range)")
            }
            let totals = sums.enumerated().map { index, sum in
                guard sum.attribution == attribution else { return "NULL::float8" }
                let measure = sum.valueField.flatMap { valueColumns[$0] } ?? "ev.n"
                return "(sum(\(measure)) FILTER (WHERE ev.kind = \(bind(sum.event)) AND \(Self.condition(sum.window))))::float8"
            }
            parts.append(
                """
                SELECT x.user_id, \(isCounting ? "sum(ev.n)::int8" : "0::int8"), \(totals.joined(separator: ", "))
                FROM (\(sources.joined(separator: " UNION ALL "))) AS ev
                \(isCounting ? "LEFT JOIN" : "JOIN") (\(exposed)) AS x ON x.user_id = ev.owner
                GROUP BY x.user_id
                """)
        }
        query = PostgresQuery(unsafeSQL: parts.joined(separator: "\nUNION ALL\n"), binds: binds)
        sumCount = sums.count
    }

    /// `window` as SQL over the event's `ev.at` and the owner's `x.first_exposed_at`.
    static func condition(_ window: MetricSum.Window) -> String {
        func offset(_ seconds: Int64) -> String { seconds == 0 ? "" : seconds > 0 ? " + \(seconds)" : " - \(-seconds)" }
        var condition = "ev.at >= x.first_exposed_at\(offset(window.fromSeconds))"
        if let until = window.untilSeconds { condition += " AND ev.at < x.first_exposed_at\(offset(until))" }
        return condition
    }

    /// The SQL column of each summed field: only the declared ones, which the events table has.
    static func valueColumns(_ sums: [MetricSum]) throws(QuanziError) -> [String: String] {
        for field in Set(sums.compactMap(\.valueField)) where !MetricDefinition.valueFields.contains(field) {
            throw QuanziError(.invalidArgument, "metrics cannot sum \(field): only \(MetricDefinition.valueFields.joined(separator: ", "))")
        }
        return Dictionary(uniqueKeysWithValues: MetricDefinition.valueFields.map { ($0, "ev.\($0)") })
    }

    /// Hands one result row to `tally`.
    func add(_ row: PostgresRow, to tally: inout MetricTally) throws {
        let cells = row.makeRandomAccess()
        tally.addEventsRead(Int(try cells[1].decode(Int64.self)))
        guard let owner = try cells[0].decode(Int64?.self) else { return }
        for sum in 0..<sumCount {
            if let total = try cells[2 + sum].decode(Double?.self) { tally.addTotal(total, sum: sum, owner: owner) }
        }
    }
}
