/// The chi-square distribution with k degrees of freedom.
public struct ChiSquare: Sendable, Hashable {
    /// Degrees of freedom k > 0.
    public let degreesOfFreedom: Double

    /// Creates the distribution; k must be positive.
    public init(degreesOfFreedom: Double) {
        precondition(degreesOfFreedom > 0, "chi-square needs positive degrees of freedom")
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(X ≤ x) = P(k/2, x/2).
    public func cdf(_ x: Double) -> Double {
        SpecialFunctions.regularizedGammaP(a: degreesOfFreedom / 2, x: x / 2)
    }

    /// P(X > x) = Q(k/2, x/2), accurate in the upper tail (the p-value of a chi-square test).
    public func survival(_ x: Double) -> Double {
        SpecialFunctions.regularizedGammaQ(a: degreesOfFreedom / 2, x: x / 2)
    }
}
