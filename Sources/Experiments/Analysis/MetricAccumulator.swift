/// One arm's per-user values of one metric, summed in one pass (constant memory per arm).
///
/// `value` is the user's metric value (a count, a sum, or a ratio's numerator); `companion` is
/// the ratio's denominator, or the CUPED pre-period covariate of a mean metric.
public struct MetricAccumulator: Sendable, Hashable {
    public private(set) var users = 0
    public private(set) var usersWithEvents = 0
    public private(set) var sumValue = 0.0
    public private(set) var sumValueSquares = 0.0
    public private(set) var sumCompanion = 0.0
    public private(set) var sumCompanionSquares = 0.0
    public private(set) var sumProducts = 0.0

    public init() {}

    public mutating func add(value: Double, companion: Double = 0) {
        users += 1
        if value != 0 { usersWithEvents += 1 }
        sumValue += value
        sumValueSquares += value * value
        sumCompanion += companion
        sumCompanionSquares += companion * companion
        sumProducts += value * companion
    }

    /// Takes back one `add` of the same user (a running look replaces a user's value with a
    /// larger one). Exact for whole-number values, as counts and fen are.
    public mutating func remove(value: Double, companion: Double = 0) {
        users -= 1
        if value != 0 { usersWithEvents -= 1 }
        sumValue -= value
        sumValueSquares -= value * value
        sumCompanion -= companion
        sumCompanionSquares -= companion * companion
        sumProducts -= value * companion
    }

    public var mean: Double { users > 0 ? sumValue / Double(users) : 0 }

    /// The values as a plain per-user metric.
    public var valueSummary: MetricSummary { MetricSummary(sum: sumValue, sumSquares: sumValueSquares, count: users) }

    /// Whether each user had an event (a proportion's 0/1 per user).
    public var usersWithEventsSummary: MetricSummary {
        MetricSummary(sum: Double(usersWithEvents), sumSquares: Double(usersWithEvents), count: users)
    }

    /// For a ratio: X = numerator (value), Y = denominator (companion).
    public var ratioSummary: PairedMetricSummary {
        PairedMetricSummary(count: users, sumX: sumValue, sumY: sumCompanion, sumXSquares: sumValueSquares,
                            sumYSquares: sumCompanionSquares, sumXY: sumProducts)
    }

    /// For CUPED: Y = outcome (value), X = pre-period covariate (companion).
    public var cupedSummary: PairedMetricSummary {
        PairedMetricSummary(count: users, sumX: sumCompanion, sumY: sumValue, sumXSquares: sumCompanionSquares,
                            sumYSquares: sumValueSquares, sumXY: sumProducts)
    }
}

/// What the events said about one variant.
public struct VariantObservations: Sendable, Hashable {
    public var name: String
    public var users: Int
    public var metrics: [String: MetricAccumulator]
    /// Quantile metrics' estimates, by metric id (absent where the arm had no value).
    public var quantiles: [String: QuantileArm]

    public init(name: String, users: Int, metrics: [String: MetricAccumulator], quantiles: [String: QuantileArm] = [:]) {
        self.name = name
        self.users = users
        self.metrics = metrics
        self.quantiles = quantiles
    }
}
