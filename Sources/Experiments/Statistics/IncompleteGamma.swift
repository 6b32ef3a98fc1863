import Foundation

extension SpecialFunctions {
    /// Regularized lower incomplete gamma P(a, x) = γ(a, x)/Γ(a), for a > 0, x ≥ 0.
    public static func regularizedGammaP(a: Double, x: Double) -> Double {
        precondition(a > 0, "incomplete gamma needs a > 0")
        if x <= 0 { return 0 }
        if x < a + 1 {
            return gammaSeries(a: a, x: x)
        }
        return 1 - gammaContinuedFraction(a: a, x: x)
    }

    /// Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), accurate in the far upper tail.
    public static func regularizedGammaQ(a: Double, x: Double) -> Double {
        precondition(a > 0, "incomplete gamma needs a > 0")
        if x <= 0 { return 1 }
        if x < a + 1 {
            return 1 - gammaSeries(a: a, x: x)
        }
        return gammaContinuedFraction(a: a, x: x)
    }

    /// P(a, x) by its power series, which converges quickly for x < a + 1.
    private static func gammaSeries(a: Double, x: Double) -> Double {
        var denominator = a
        var term = 1 / a
        var sum = term
        for _ in 0..<iterationLimit {
            denominator += 1
            term *= x / denominator
            sum += term
            if abs(term) < abs(sum) * convergenceTolerance {
                break
            }
        }
        return sum * exp(-x + a * log(x) - logGamma(a))
    }

    /// Q(a, x) by its continued fraction (modified Lentz), which converges quickly for x ≥ a + 1.
    private static func gammaContinuedFraction(a: Double, x: Double) -> Double {
        var b = x + 1 - a
        var c = 1 / lentzFloor
        var d = 1 / awayFromZero(b)
        var result = d
        for step in 1...iterationLimit {
            let i = Double(step)
            let an = -i * (i - a)
            b += 2
            d = 1 / awayFromZero(an * d + b)
            c = awayFromZero(b + an / c)
            let delta = d * c
            result *= delta
            if abs(delta - 1) < convergenceTolerance {
                break
            }
        }
        return exp(-x + a * log(x) - logGamma(a)) * result
    }
}
