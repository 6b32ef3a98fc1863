import Experiments

/// One per-user total an experiment's metrics are made of: the events of one kind owned by the
/// user (as actor or as target) inside one window around the user's exposure, counted or summed
/// by a field. `MetricTally` derives these from the metric definitions and counts events into
/// them; PostgreSQL's reader turns the same list into one GROUP BY (`PostgresMetricSums`), so
/// which events count for whom exists once, here.
public struct MetricSum: Sendable, Hashable {
    public var event: String
    public var attribution: MetricDefinition.Attribution
    /// The event column summed (`MetricDefinition.valueFields`); nil counts the events.
    public var valueField: String?
    public var window: Window

    /// The times that count, relative to the owner's exposure: at ∈ [exposure + from, exposure + until).
    public struct Window: Sendable, Hashable {
        public var fromSeconds: Int64
        /// nil: open-ended (the reader's `before` still applies).
        public var untilSeconds: Int64?

        /// From the exposure on: a metric's value, a ratio's denominator.
        public static let sinceExposure = Window(fromSeconds: 0, untilSeconds: nil)

        /// The `seconds` before the exposure: a mean's CUPED covariate.
        public static func preperiod(seconds: Int64) -> Window { Window(fromSeconds: -seconds, untilSeconds: 0) }

        @inline(__always)
        public func contains(_ at: Int64, exposedAt: Int64) -> Bool {
            guard at >= exposedAt + fromSeconds else { return false }
            guard let untilSeconds else { return true }
            return at < exposedAt + untilSeconds
        }
    }
}

/// Which totals each metric reads: its value, and its companion (a ratio's denominator, a mean's
/// CUPED covariate; none for the rest, which then counts as zero).
struct MetricSumPlan: Sendable {
    let sums: [MetricSum]
    /// Per metric: the index into `sums` of its value, and of its companion.
    let valueSum: [Int]
    let companionSum: [Int?]

    init(metrics: [MetricDefinition], preperiodSeconds: Int64) {
        var sums: [MetricSum] = []
        var valueSum: [Int] = []
        var companionSum: [Int?] = []
        var index: [MetricSum: Int] = [:]
        func sum(_ measure: MetricDefinition.EventMeasure, _ attribution: MetricDefinition.Attribution, _ window: MetricSum.Window) -> Int {
            let sum = MetricSum(event: measure.event, attribution: attribution, valueField: measure.valueField, window: window)
            if let known = index[sum] { return known }
            index[sum] = sums.count
            sums.append(sum)
            return sums.count - 1
        }
        for metric in metrics {
            switch metric.kind {
            case .mean(let measure):
                valueSum.append(sum(measure, metric.attribution, .sinceExposure))
                companionSum.append(preperiodSeconds > 0 ? sum(measure, metric.attribution, .preperiod(seconds: preperiodSeconds)) : nil)
            case .proportion(let measure), .quantile(let measure, _):
                valueSum.append(sum(measure, metric.attribution, .sinceExposure))
                companionSum.append(nil)
            case .ratio(let numerator, let denominator):
                valueSum.append(sum(numerator, metric.attribution, .sinceExposure))
                companionSum.append(sum(denominator, metric.attribution, .sinceExposure))
            }
        }
        self.sums = sums
        self.valueSum = valueSum
        self.companionSum = companionSum
    }
}
