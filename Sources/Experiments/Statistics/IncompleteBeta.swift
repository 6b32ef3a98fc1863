import Foundation

extension SpecialFunctions {
    /// Regularized incomplete beta I_x(a, b) for x in [0, 1], a, b > 0.
    public static func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
        regularizedIncompleteBeta(x: x, complement: 1 - x, logX: log(x), a: a, b: b)
    }

    /// I_x(a, b), given x, 1 − x and ln x separately: the t distribution knows all three more precisely
    /// than they can be recomputed from x, and at large a the error of a·ln x would dominate.
    static func regularizedIncompleteBeta(x: Double, complement y: Double, logX: Double, a: Double, b: Double) -> Double {
        precondition(a > 0 && b > 0, "incomplete beta needs a, b > 0")
        if x <= 0 { return 0 }
        if y <= 0 { return 1 }
        let logFront = a * logX + b * log(y) - logBeta(a, b)
        // The continued fraction converges fast only below the mean; above it use I_x(a,b) = 1 − I_{1−x}(b,a).
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(x: x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * betaContinuedFraction(x: y, a: b, b: a) / b
    }

    /// The continued fraction for I_x(a, b) evaluated by the modified Lentz method (Numerical Recipes §6.4).
    private static func betaContinuedFraction(x: Double, a: Double, b: Double) -> Double {
        let sumAB = a + b
        let aPlusOne = a + 1
        let aMinusOne = a - 1
        var c = 1.0
        var d = 1 / awayFromZero(1 - sumAB * x / aPlusOne)
        var result = d
        for step in 1...iterationLimit {
            let m = Double(step)
            let twoM = 2 * m
            let evenTerm = m * (b - m) * x / ((aMinusOne + twoM) * (a + twoM))
            d = 1 / awayFromZero(1 + evenTerm * d)
            c = awayFromZero(1 + evenTerm / c)
            result *= d * c
            let oddTerm = -(a + m) * (sumAB + m) * x / ((a + twoM) * (aPlusOne + twoM))
            d = 1 / awayFromZero(1 + oddTerm * d)
            c = awayFromZero(1 + oddTerm / c)
            let delta = d * c
            result *= delta
            if abs(delta - 1) < convergenceTolerance {
                return result
            }
        }
        return result
    }
}
