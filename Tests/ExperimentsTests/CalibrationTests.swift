import Core
import Testing
@testable import Experiments

/// Simulated experiments per calibration check: enough for a ±4 SD binomial band of about ±2 points at 5%.
private let simulationRuns = 2000

/// Whether `hits` out of `runs` is within 4 binomial standard deviations of `rate`.
private func withinBand(_ hits: Int, runs: Int, rate: Double) -> Bool {
    let standardDeviation = (rate * (1 - rate) / Double(runs)).squareRoot()
    return abs(Double(hits) / Double(runs) - rate) <= 4 * standardDeviation
}

/// Running sums for one simulated arm of a normally distributed metric.
private struct ArmAccumulator {
    var sum = 0.0
    var sumSquares = 0.0
    var count = 0

    mutating func add(_ value: Double) {
        sum += value
        sumSquares += value * value
        count += 1
    }

    var estimate: ArmEstimate {
        MetricSummary(sum: sum, sumSquares: sumSquares, count: count).estimate
    }
}

@Suite("Calibration by simulation (seeded)")
struct CalibrationTests {
    @Test("A/A: the Welch test flags about 5% of runs")
    func welchFalsePositiveRate() throws {
        var generator = SeededGenerator(seed: 1)
        var flagged = 0
        for _ in 0..<simulationRuns {
            var control = ArmAccumulator()
            var treatment = ArmAccumulator()
            for _ in 0..<100 {
                control.add(3 + 2 * generator.nextGaussian())
                treatment.add(3 + 2 * generator.nextGaussian())
            }
            if try WelchTest.absolute(control: control.estimate, treatment: treatment.estimate).isSignificant(alpha: 0.05) {
                flagged += 1
            }
        }
        #expect(withinBand(flagged, runs: simulationRuns, rate: 0.05), "\(flagged) of \(simulationRuns)")
    }

    @Test("A/A: the proportions z-test flags about 5% of runs")
    func proportionsFalsePositiveRate() throws {
        var generator = SeededGenerator(seed: 2)
        var flagged = 0
        for _ in 0..<simulationRuns {
            let control = (0..<500).filter { _ in Double.random(in: 0..<1, using: &generator) < 0.2 }.count
            let treatment = (0..<500).filter { _ in Double.random(in: 0..<1, using: &generator) < 0.2 }.count
            let result = try ProportionsTest.zTest(
                control: ProportionSummary(successes: control, count: 500),
                treatment: ProportionSummary(successes: treatment, count: 500))
            if result.isSignificant(alpha: 0.05) { flagged += 1 }
        }
        #expect(withinBand(flagged, runs: simulationRuns, rate: 0.05), "\(flagged) of \(simulationRuns)")
    }

    @Test("A/A with ten peeks: sequential intervals stay at or below 5%, naive fixed-horizon peeking does not")
    func peeking() throws {
        var generator = SeededGenerator(seed: 3)
        let runs = simulationRuns / 2
        var sequentialFlagged = 0
        var naiveFlagged = 0
        for _ in 0..<runs {
            var control = ArmAccumulator()
            var treatment = ArmAccumulator()
            var sequentialHit = false
            var naiveHit = false
            for _ in 0..<10 {
                for _ in 0..<100 {
                    control.add(1 + generator.nextGaussian())
                    treatment.add(1 + generator.nextGaussian())
                }
                let sequential = try SequentialTest.absolute(control: control.estimate, treatment: treatment.estimate)
                sequentialHit = sequentialHit || sequential.isSignificant
                let naive = try WelchTest.absolute(control: control.estimate, treatment: treatment.estimate)
                naiveHit = naiveHit || naive.isSignificant(alpha: 0.05)
            }
            if sequentialHit { sequentialFlagged += 1 }
            if naiveHit { naiveFlagged += 1 }
        }
        let band = 4 * (0.05 * 0.95 / Double(runs)).squareRoot()
        #expect(Double(sequentialFlagged) / Double(runs) <= 0.05 + band, "sequential \(sequentialFlagged) of \(runs)")
        #expect(Double(naiveFlagged) / Double(runs) > 0.1, "naive \(naiveFlagged) of \(runs)")
    }

    @Test("a planted effect of the MDE is found with about the predicted power")
    func plantedEffectPower() throws {
        let effect = 0.25
        let usersPerArm = try Power.usersPerArm(effect: effect, variance: 1, power: 0.8)
        var generator = SeededGenerator(seed: 4)
        let runs = simulationRuns / 2
        var detected = 0
        for _ in 0..<runs {
            var control = ArmAccumulator()
            var treatment = ArmAccumulator()
            for _ in 0..<usersPerArm {
                control.add(generator.nextGaussian())
                treatment.add(effect + generator.nextGaussian())
            }
            if try WelchTest.absolute(control: control.estimate, treatment: treatment.estimate).isSignificant(alpha: 0.05) {
                detected += 1
            }
        }
        #expect(withinBand(detected, runs: runs, rate: 0.8), "\(detected) of \(runs) with \(usersPerArm) users per arm")
    }
}
