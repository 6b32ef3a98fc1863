import Core
import Foundation
import Testing

/// Loads a fixture file shipped in the test bundle's Fixtures folder.
func fixtureData(_ name: String, extension fileExtension: String = "json") throws -> Data {
    let url = try #require(
        Bundle.module.url(forResource: name, withExtension: fileExtension, subdirectory: "Fixtures"),
        "missing fixture \(name).\(fileExtension)"
    )
    return try Data(contentsOf: url)
}

/// Whether two doubles agree to a relative tolerance, or within an absolute one (for values at or near zero).
func isClose(_ actual: Double, _ expected: Double, relative: Double = 1e-6, absolute: Double = 1e-300) -> Bool {
    if actual == expected { return true }
    let scale = max(abs(actual), abs(expected))
    return abs(actual - expected) <= max(relative * scale, absolute)
}

/// Whether two doubles agree when both are rounded to 4 decimals' worth (|a − b| < 5e-5).
func agreesToFourDecimals(_ actual: Double, _ expected: Double) -> Bool {
    abs(actual - expected) < 5e-5
}

extension SeededGenerator {
    /// A standard normal draw (Box–Muller).
    mutating func nextGaussian() -> Double {
        let u1 = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// Counts of `values` falling into `bucketCount` equal-width buckets of [0, 1).
func bucketCounts(_ values: [Double], bucketCount: Int) -> [Int] {
    var counts = [Int](repeating: 0, count: bucketCount)
    for value in values {
        counts[min(Int(value * Double(bucketCount)), bucketCount - 1)] += 1
    }
    return counts
}
