extension PairedMetricSummary {
    /// Ratio of means R = mean(X)/mean(Y).
    public var ratio: Double {
        sumX / sumY
    }

    /// Delta-method variance of R: (1/n)·(vX/μY² − 2·μX·cXY/μY³ + μX²·vY/μY⁴).
    public var varianceOfRatio: Double {
        let meanX = x.mean
        let meanY = y.mean
        let meanYSquared = meanY * meanY
        let perUser = x.variance / meanYSquared
            - 2 * meanX * covarianceXY / (meanYSquared * meanY)
            + meanX * meanX * y.variance / (meanYSquared * meanYSquared)
        return max(0, perUser) / Double(count)
    }

    /// The ratio as one arm of a two-arm test (variance n·var(R)), so `WelchTest` gives its absolute or relative lift.
    public func ratioEstimate() throws(StatisticsError) -> ArmEstimate {
        guard count >= 2 else { throw .tooFewUsers }
        guard sumY != 0 else { throw .zeroMean }
        return ArmEstimate(mean: ratio, variance: Double(count) * varianceOfRatio, count: count)
    }
}
