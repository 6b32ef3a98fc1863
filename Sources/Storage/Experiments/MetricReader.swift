import Core
import Experiments
import GRDB

/// Reads what an experiment's metrics need from the events table in one streaming pass. Memory
/// grows with exposed users (one slot per user and metric), never with events.
public struct MetricReader: Sendable {
    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    public struct Result: Sendable {
        public var variants: [VariantObservations]
        public var timeline: [ExperimentReport.TimelinePoint]
        public var forcedUsersExcluded: Int
        public var eventsRead: Int
    }

    /// Observations per variant for `metrics`, counting only events after each user's first
    /// exposure (and, for CUPED, the `preperiodDays` before it as the covariate).
    /// `before`: only events before this time (a stopped experiment ends at its stop: afterwards
    /// everyone gets control, and later behaviour is no longer the treatment's).
    public func observations(for spec: ExperimentSpec, metrics: [MetricDefinition], excluding forced: Set<UserID>, before: Int64? = nil) throws
        -> Result
    {
        let exposures = try ExperimentStore(database: database).exposures(of: spec.id).filter { !forced.contains($0.userID) }
        let forcedExcluded = try database.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM exposures WHERE experiment_id = ?", arguments: [spec.id]) ?? 0
        } - exposures.count
        let variantIndex = Dictionary(uniqueKeysWithValues: spec.variants.enumerated().map { ($1.name, $0) })
        // Dense slots: user → index into the per-metric arrays.
        var slot: [Int64: Int] = [:]
        slot.reserveCapacity(exposures.count)
        var firstExposed: [Int64] = []
        var variantOfSlot: [Int] = []
        for exposure in exposures {
            guard let variant = variantIndex[exposure.variant] else { continue }
            slot[exposure.userID.rawValue] = firstExposed.count
            firstExposed.append(exposure.firstExposedAtEpochSeconds)
            variantOfSlot.append(variant)
        }
        var values = [[Double]](repeating: [Double](repeating: 0, count: firstExposed.count), count: metrics.count)
        var companions = values
        let preperiodSeconds = Int64(spec.preperiodDays) * 86_400
        let earliest = (firstExposed.min() ?? 0) - preperiodSeconds
        var eventsRead = 0

        // Which (metric, part) each event kind feeds.
        enum Part { case value, companion }
        var feeds: [String: [(metric: Int, part: Part, measure: MetricDefinition.EventMeasure, attribution: MetricDefinition.Attribution)]] = [:]
        for (index, metric) in metrics.enumerated() {
            switch metric.kind {
            case .mean(let measure), .proportion(let measure):
                feeds[measure.event, default: []].append((index, .value, measure, metric.attribution))
            case .ratio(let numerator, let denominator):
                feeds[numerator.event, default: []].append((index, .value, numerator, metric.attribution))
                feeds[denominator.event, default: []].append((index, .companion, denominator, metric.attribution))
            }
        }
        // One sequential pass over the events since the earliest relevant time: a scan per
        // event kind through the (kind, at) index would fetch each row from the table at random.
        try database.pool.read { db in
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT kind, user_id, target_user_id, at, amount_fen FROM events WHERE at >= ? AND at < ?",
                arguments: [earliest, before ?? Int64.max])
            while let row = try cursor.next() {
                guard let targets = feeds[row[0] as String] else { continue }
                eventsRead += 1
                let at: Int64 = row[3]
                let amount = Double(row[4] as Int64? ?? 0)
                for target in targets {
                    let owner: Int64? = target.attribution == .actor ? row[1] : row[2]
                    guard let owner, let index = slot[owner] else { continue }
                    let amountOrOne = target.measure.valueField == nil ? 1 : amount
                    if at >= firstExposed[index] {
                        if target.part == .value { values[target.metric][index] += amountOrOne } else { companions[target.metric][index] += amountOrOne }
                    } else if preperiodSeconds > 0, target.part == .value, at >= firstExposed[index] - preperiodSeconds,
                        case .mean = metrics[target.metric].kind
                    {
                        companions[target.metric][index] += amountOrOne
                    }
                }
            }
        }
        var observations = spec.variants.map { VariantObservations(name: $0.name, users: 0, metrics: [:]) }
        for index in firstExposed.indices { observations[variantOfSlot[index]].users += 1 }
        for (metricIndex, metric) in metrics.enumerated() {
            var accumulators = [MetricAccumulator](repeating: MetricAccumulator(), count: spec.variants.count)
            for index in firstExposed.indices {
                accumulators[variantOfSlot[index]].add(value: values[metricIndex][index], companion: companions[metricIndex][index])
            }
            for (variant, accumulator) in accumulators.enumerated() { observations[variant].metrics[metric.id] = accumulator }
        }
        return Result(variants: observations, timeline: timeline(firstExposed, variantOfSlot, variantCount: spec.variants.count),
                      forcedUsersExcluded: forcedExcluded, eventsRead: eventsRead)
    }

    func timeline(_ firstExposed: [Int64], _ variantOfSlot: [Int], variantCount: Int) -> [ExperimentReport.TimelinePoint] {
        guard let first = firstExposed.min(), let last = firstExposed.max() else { return [] }
        let firstDay = first / 86_400, lastDay = last / 86_400
        var perDay = [[Int]](repeating: [Int](repeating: 0, count: variantCount), count: Int(lastDay - firstDay) + 1)
        for (index, at) in firstExposed.enumerated() { perDay[Int(at / 86_400 - firstDay)][variantOfSlot[index]] += 1 }
        var running = [Int](repeating: 0, count: variantCount)
        return perDay.enumerated().map { offset, counts in
            for variant in 0..<variantCount { running[variant] += counts[variant] }
            return ExperimentReport.TimelinePoint(dayEpochSeconds: (firstDay + Int64(offset)) * 86_400, cumulativeUsers: running)
        }
    }
}
