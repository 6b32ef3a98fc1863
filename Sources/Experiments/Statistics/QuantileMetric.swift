import Foundation

/// One arm of a quantile metric, estimated as GrowthBook's quantile metrics are (its SQL and
/// gbstats 0.8.0's `QuantileStatistic` / `QuantileClusteredStatistic`).
///
/// The quantile q̂ is the sample quantile (linear interpolation, as PERCENTILE_CONT). Its standard
/// error comes from the order statistics around it: with n* the largest of 100·2^k below n, the
/// values at the levels ν ± z·sqrt(ν(1 − ν)/n*) bound a 95 % interval for the quantile, so
/// ((U − L)/2z)² is the variance of q̂ at n* observations, scaled to n. For quantiles of single
/// events, one user's events are not independent: the variance is scaled once more by the
/// clustered variance of the share of events at or below q̂ (a ratio over users, delta method)
/// against its independent value ν(1 − ν)/n.
///
/// The arms are then compared as means are in gbstats: the relative change of q̂ with the
/// delta method (`QuantileComparison`).
public struct QuantileArm: Sendable, Hashable {
    /// Values the quantile is taken over: users (per user) or events (per event).
    public var count: Int
    /// The grid size the bounds were taken at.
    public var nStar: Int
    public var level: Double
    public var lowerLevel: Double
    public var upperLevel: Double
    /// q̂, and the sample quantiles at the two bound levels.
    public var quantile: Double
    public var quantileLower: Double
    public var quantileUpper: Double
    /// For per-event quantiles: the users of the arm (clusters) and their sums of S (events at or
    /// below q̂) and N (events).
    public var clusters: ClusterSums?
    /// gbstats' `variance_init` (per value: variance / count is q̂'s variance).
    public var varianceInit: Double
    /// `varianceInit`, floored at 1e-5 from 100 values on (as gbstats does).
    public var variance: Double

    public struct ClusterSums: Sendable, Hashable {
        public var users: Int
        public var sumS: Double
        public var sumSSquares: Double
        public var sumN: Double
        public var sumNSquares: Double
        public var sumSN: Double

        /// The delta-method variance of the share of events at or below q̂, ΣS/ΣN, over users.
        public var shareVariance: Double {
            let k = Double(users)
            let meanS = sumS / k, meanN = sumN / k
            let varianceS = (sumSSquares / k - meanS * meanS) * k / (k - 1)
            let varianceN = (sumNSquares / k - meanN * meanN) * k / (k - 1)
            let covariance = (sumSN / k - meanS * meanN) * k / (k - 1)
            let ratio = meanS / meanN
            return (varianceS - 2 * ratio * covariance + ratio * ratio * varianceN) / (k * meanN * meanN)
        }
    }

    /// z of the bounds: GrowthBook takes them at 95 % whatever the experiment's α.
    static let boundZ = Normal.quantile(0.975)
    /// The n* grid: 100·2^k for k = 0…19.
    static let nStarGrid = (0..<20).map { 100 << $0 }

    /// The largest grid size strictly below `count` (100 when none is).
    static func nStar(for count: Int) -> Int { nStarGrid.last { $0 < count } ?? nStarGrid[0] }

    /// A per-user quantile: of each user's total (`values`, one per analysed user; zeros left
    /// out with `ignoreZeros`). Nil when no value is left.
    public static func perUser(values: [Double], level: Double, ignoreZeros: Bool) -> QuantileArm? {
        let kept = (ignoreZeros ? values.filter { $0 != 0 } : values).sorted()
        return estimate(sorted: kept, level: level, clusters: nil)
    }

    /// A per-event quantile: of each event's value (`events` as (user index, value), user
    /// indices in 0..<users; zero values left out with `ignoreZeros`). Every one of the arm's
    /// `users` is a cluster, with events or without. Nil when no event is left.
    public static func perEvent(events: [(user: Int, value: Double)], users: Int, level: Double, ignoreZeros: Bool) -> QuantileArm? {
        let kept = ignoreZeros ? events.filter { $0.value != 0 } : events
        let sorted = kept.map(\.value).sorted()
        guard let quantile = Percentile.continuous(sorted: sorted, level: level) else { return nil }
        var below = [Double](repeating: 0, count: users), all = [Double](repeating: 0, count: users)
        for event in kept where event.user >= 0 && event.user < users {
            all[event.user] += 1
            if event.value <= quantile { below[event.user] += 1 }
        }
        var sums = ClusterSums(users: users, sumS: 0, sumSSquares: 0, sumN: 0, sumNSquares: 0, sumSN: 0)
        for user in 0..<users {
            sums.sumS += below[user]
            sums.sumSSquares += below[user] * below[user]
            sums.sumN += all[user]
            sums.sumNSquares += all[user] * all[user]
            sums.sumSN += below[user] * all[user]
        }
        return estimate(sorted: sorted, level: level, clusters: sums)
    }

    static func estimate(sorted: [Double], level: Double, clusters: ClusterSums?) -> QuantileArm? {
        guard let quantile = Percentile.continuous(sorted: sorted, level: level) else { return nil }
        let n = sorted.count
        let nStar = nStar(for: n)
        let spread = boundZ * (level * (1 - level) / Double(nStar)).squareRoot()
        let lowerLevel = max(level - spread, 1e-8), upperLevel = min(level + spread, 0.99999999)
        let lower = Percentile.continuous(sorted: sorted, level: lowerLevel) ?? quantile
        let upper = Percentile.continuous(sorted: sorted, level: upperLevel) ?? quantile
        var varianceInit = 0.0
        if n > 1 {
            let halfWidth = (upper - lower) / (2 * boundZ)
            varianceInit = Double(nStar) / Double(n) * Double(n - 1) * halfWidth * halfWidth
            if let clusters {
                if clusters.users > 1, clusters.sumN > 0 {
                    varianceInit *= clusters.shareVariance / (level * (1 - level) / Double(n))
                } else {
                    varianceInit = 0
                }
            }
        }
        return QuantileArm(
            count: n, nStar: nStar, level: level, lowerLevel: lowerLevel, upperLevel: upperLevel, quantile: quantile, quantileLower: lower,
            quantileUpper: upper, clusters: clusters, varianceInit: varianceInit, variance: n < 100 ? varianceInit : max(varianceInit, 1e-5))
    }

    /// gbstats' test of whether a variance can be had: too few values for the bounds to lie
    /// inside the data, or no spread with fewer than 1,000 values.
    public var hasNoVariance: Bool {
        let z2 = Self.boundZ * Self.boundZ
        let n = Double(count)
        if n <= z2 * level / (1 - level) || n <= z2 * (1 - level) / level { return true }
        return varianceInit <= 0 && count < 1000
    }

    /// The arm as the mean tests see it.
    public var estimate: ArmEstimate { ArmEstimate(mean: quantile, variance: variance, count: count) }
}

/// The relative change of a quantile between two arms: gbstats' two-sided t-test on the quantile
/// statistics (delta method, Welch dof), or its always-valid interval and p-value when the
/// experiment is sequential.
public enum QuantileComparison {
    public static func relative(control: QuantileArm, treatment: QuantileArm, alpha: Double, sequential: Bool,
                                tuningSampleSize: Double = SequentialTest.tuningSampleSizeDefault) throws(StatisticsError)
        -> (estimate: Double, confidenceInterval: ConfidenceInterval, pValue: Double)
    {
        guard !control.hasNoVariance, !treatment.hasNoVariance else { throw .zeroVariance }
        guard control.quantile != 0 else { throw .zeroMean }
        if sequential {
            let result = try SequentialTest.relative(
                control: control.estimate, treatment: treatment.estimate, alpha: alpha, tuningSampleSize: tuningSampleSize)
            let pValue = SequentialTest.alwaysValidPValue(
                statistic: result.estimate / result.standardError, totalCount: control.count + treatment.count, alpha: alpha,
                tuningSampleSize: tuningSampleSize)
            return (result.estimate, result.confidenceInterval, pValue)
        }
        let result = try WelchTest.relative(control: control.estimate, treatment: treatment.estimate, alpha: alpha)
        return (result.estimate, result.confidenceInterval, result.pValue)
    }
}
