import Foundation

/// Special functions behind the distributions, written here by hand.
///
/// Why by hand: no maintained Swift package provides the regularized incomplete beta and gamma
/// functions or the inverse CDFs (swift-numerics stops at erf and logGamma), and Glibc's `lgamma`
/// writes the global `signgam`, which is a data race under Swift Testing's parallel tests.
/// The algorithms are the standard ones (Lanczos, Numerical Recipes' series and Lentz continued
/// fractions) and are checked against scipy in Tests/ExperimentsTests/Fixtures/scipy-reference.json.
public enum SpecialFunctions {
    /// Relative tolerance at which series and continued fractions stop.
    static let convergenceTolerance = 1e-15
    /// Smallest magnitude allowed in Lentz's method before a denominator is nudged away from zero.
    static let lentzFloor = 1e-300
    /// Iteration limit for series and continued fractions; they converge in O(sqrt(max(a, b))) steps.
    static let iterationLimit = 100_000

    /// Lanczos coefficients for g = 7, n = 9 (accurate to about 1e-15 relative for Γ).
    private static let lanczosG = 7.0
    private static let lanczosCoefficients: [Double] = [
        0.999_999_999_999_809_93, 676.520_368_121_885_1, -1259.139_216_722_402_8,
        771.323_428_777_653_13, -176.615_029_162_140_59, 12.507_343_278_686_905,
        -0.138_571_095_265_720_12, 9.984_369_578_019_571_6e-6, 1.505_632_735_149_311_6e-7,
    ]

    /// ln Γ(x) for x > 0 (Lanczos approximation, with the reflection formula below 1/2).
    public static func logGamma(_ x: Double) -> Double {
        precondition(x > 0, "logGamma is defined here for x > 0 only")
        if x < 0.5 {
            return log(Double.pi / sin(Double.pi * x)) - logGamma(1 - x)
        }
        let shifted = x - 1
        var series = lanczosCoefficients[0]
        for index in 1..<lanczosCoefficients.count {
            series += lanczosCoefficients[index] / (shifted + Double(index))
        }
        let t = shifted + lanczosG + 0.5
        return 0.5 * log(2 * Double.pi) + (shifted + 0.5) * log(t) - t + log(series)
    }

    /// Argument above which ln Γ(big) − ln Γ(big + small) is taken from Stirling's series instead of by subtraction.
    static let stirlingThreshold = 100.0

    /// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
    ///
    /// For a large argument (the t distribution at large dof) the difference ln Γ(big) − ln Γ(big + small)
    /// of two huge, nearly equal numbers is formed from Stirling's series so that it loses no digits.
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        let small = min(a, b)
        let big = max(a, b)
        guard big >= stirlingThreshold else {
            return logGamma(a) + logGamma(b) - logGamma(a + b)
        }
        let sum = big + small
        let difference = -(big - 0.5) * log1p(small / big) - small * log(sum) + small
            + stirlingCorrection(big) - stirlingCorrection(sum)
        return logGamma(small) + difference
    }

    /// ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π] for x ≥ 100, where four terms of the series are exact to double precision.
    private static func stirlingCorrection(_ x: Double) -> Double {
        let inverseSquare = 1 / (x * x)
        return (1.0 / 12 - inverseSquare * (1.0 / 360 - inverseSquare * (1.0 / 1260 - inverseSquare / 1680))) / x
    }

    /// Replaces a Lentz denominator that is (nearly) zero by a tiny positive number (as Numerical Recipes does).
    static func awayFromZero(_ value: Double) -> Double {
        abs(value) < lentzFloor ? lentzFloor : value
    }
}
