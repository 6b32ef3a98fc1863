import Foundation

/// Student's t distribution with (possibly fractional, e.g. Welch) degrees of freedom.
public struct StudentT: Sendable, Hashable {
    /// Degrees of freedom ν > 0.
    public let degreesOfFreedom: Double

    /// Iteration limit for the quantile's safeguarded Newton search.
    static let quantileIterationLimit = 200
    /// Relative tolerance at which the quantile search stops.
    static let quantileTolerance = 1e-14

    /// Creates the distribution; ν must be positive.
    public init(degreesOfFreedom: Double) {
        precondition(degreesOfFreedom > 0, "Student's t needs positive degrees of freedom")
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// Density at t.
    public func density(_ t: Double) -> Double {
        let nu = degreesOfFreedom
        let logNormaliser = SpecialFunctions.logBeta(nu / 2, 0.5) + 0.5 * log(nu)
        return exp(-(nu + 1) / 2 * log1p(t * t / nu) - logNormaliser)
    }

    /// P(T ≤ t).
    public func cdf(_ t: Double) -> Double {
        t > 0 ? 1 - survival(t) : survival(-t)
    }

    /// P(T > t), accurate in the upper tail: ½·I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0.
    public func survival(_ t: Double) -> Double {
        if t < 0 { return 1 - survival(-t) }
        let nu = degreesOfFreedom
        let tSquared = t * t
        let x = nu / (nu + tSquared)
        let oneMinusX = tSquared / (nu + tSquared)
        let logX = -log1p(tSquared / nu)
        return 0.5 * SpecialFunctions.regularizedIncompleteBeta(x: x, complement: oneMinusX, logX: logX, a: nu / 2, b: 0.5)
    }

    /// Two-sided p-value 2·P(T > |t|).
    public func twoSidedPValue(_ t: Double) -> Double {
        min(1, 2 * survival(abs(t)))
    }

    /// The p-quantile, by inverting the survival function (safeguarded Newton from the normal quantile).
    public func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "t quantile needs 0 < p < 1")
        if p == 0.5 { return 0 }
        let upperTail = min(p, 1 - p)
        let magnitude = positiveQuantile(upperTail: upperTail)
        return p > 0.5 ? magnitude : -magnitude
    }

    /// The t > 0 with P(T > t) = upperTail < ½.
    private func positiveQuantile(upperTail: Double) -> Double {
        var low = 0.0
        var high = max(1, abs(Normal.quantile(upperTail)))
        // Heavy tails put the quantile far beyond the normal one; double until it is bracketed.
        while survival(high) > upperTail {
            low = high
            high *= 2
        }
        var t = min(max(abs(Normal.quantile(upperTail)), low), high)
        for _ in 0..<Self.quantileIterationLimit {
            let excess = survival(t) - upperTail
            if excess > 0 { low = t } else { high = t }
            var next = t + excess / density(t)
            if !(next > low && next < high) {
                next = (low + high) / 2
            }
            if abs(next - t) <= Self.quantileTolerance * max(1, abs(next)) {
                return next
            }
            t = next
        }
        return t
    }
}
