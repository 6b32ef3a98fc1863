import Experiments
import Foundation

/// Checks the statistics against simulations: A/A runs (every variant gets the control's
/// parameters) must flag about α of the time for every test the report uses, and runs with a
/// planted effect must find it about as often as the power formula predicts.
public struct CalibrationOptions: Sendable {
    public var base: SimulationOptions
    public var runs: Int
    /// The effect for the power runs; nil skips them.
    public var plantedEffect: PlantedEffect?
    public var firstSeed: UInt64
    /// Simulate a new population for every run instead of re-randomising one (see `Calibration`).
    public var resimulate: Bool
    /// Simulated minutes between the looks of the watched A/A measure (re-randomised runs only;
    /// `serve --watch-interval-minutes` looks as often).
    public var watchIntervalMinutes: Int

    public init(base: SimulationOptions, runs: Int, plantedEffect: PlantedEffect?, firstSeed: UInt64 = 1, resimulate: Bool = false,
                watchIntervalMinutes: Int = 10) {
        self.base = base
        self.runs = runs
        self.plantedEffect = plantedEffect
        self.firstSeed = firstSeed
        self.resimulate = resimulate
        self.watchIntervalMinutes = watchIntervalMinutes
    }
}

/// A binomial proportion with its 95% Wilson score interval.
public struct BinomialEstimate: Sendable, Hashable, CustomStringConvertible {
    public var successes: Int
    public var trials: Int
    public var rate: Double { trials == 0 ? 0 : Double(successes) / Double(trials) }
    public var lower: Double
    public var upper: Double

    public init(successes: Int, trials: Int, z: Double = 1.959964) {
        self.successes = successes
        self.trials = trials
        guard trials > 0 else {
            (lower, upper) = (0, 1)
            return
        }
        let n = Double(trials)
        let p = Double(successes) / n
        let denominator = 1 + z * z / n
        let centre = (p + z * z / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / denominator
        (lower, upper) = (max(0, centre - half), min(1, centre + half))
    }

    public var description: String {
        String(format: "%d/%d = %.3f (95%% Wilson %.3f–%.3f)", successes, trials, rate, lower, upper)
    }
}

public struct CalibrationResult: Sendable {
    public struct TestRate: Sendable {
        /// "metric (test)".
        public var test: String
        public var flagged: BinomialEstimate
        /// Runs where the test could not be made (too few users…).
        public var unavailable: Int
        /// An always-valid test, judged at one look here: it must flag at most α (its α is
        /// spent over every look; `WatchedCheck` measures that), where a fixed-horizon test
        /// must flag about α.
        public var sequential: Bool
    }

    /// A/A splits watched as the service watches a running experiment: at every interval of
    /// simulated time the data so far is analysed with the always-valid intervals (a copy of the
    /// spec with `sequential = true`), and a split is a false stop if any look finds a guardrail
    /// `.violated`. Repeated looks are what always-valid intervals are for: at most α.
    public struct WatchedCheck: Sendable {
        public var intervalMinutes: Int
        /// Looks per split (the last at the end of the run).
        public var looks: Int
        public var guardrails: [String]
        public var falseStops: BinomialEstimate
        /// Splits where some look's always-valid interval of a guardrail metric excluded no
        /// change, either way: the guarantee itself, before the guardrail's allowance.
        public var anyLookSignificant: BinomialEstimate
        /// Per look index (0-based), the splits whose first violation came then.
        public var firstStopLooks: [Int]
    }

    public struct PowerCheck: Sendable {
        public var effect: PlantedEffect
        public var detected: BinomialEstimate
        /// Mean over the runs of the power the formula predicts for the planted lift, with the
        /// users and variance each run had.
        public var predicted: Double?
        public var unavailable: Int
    }

    /// A/A runs judged on their segment breakdown: how often any segment comparison is flagged
    /// before the correction, and after it (Benjamini–Hochberg over the whole breakdown, which
    /// must hold α: in an A/A test every flag is false).
    public struct SegmentCheck: Sendable {
        public var segments: [String]
        /// Comparisons made per run (values too small to judge make none), on average.
        public var comparisonsPerRun: Double
        /// Runs where some comparison had p < α before the correction.
        public var anyUncorrected: BinomialEstimate
        /// Runs where some comparison was significant after the correction.
        public var anyCorrected: BinomialEstimate
        /// Single comparisons with p < α before the correction: about α each.
        public var perComparison: BinomialEstimate
    }

    public var alpha: Double
    public var falsePositives: [TestRate]
    /// Nil when the experiment declares no segments.
    public var segments: SegmentCheck? = nil
    public var power: PowerCheck?
    /// Re-randomised runs only.
    public var watched: WatchedCheck?
    public var seconds: Double
    /// "re-randomised" or "re-simulated", with what was held fixed.
    public var method: String
}

/// Two ways to get R runs:
/// - re-randomised (the default): one A/A population is simulated through the service, then each
///   run draws a fresh assignment of its exposed users (a new hash salt) and re-analyses the same
///   event log with the service's own reader and analyser. In an A/A every variant behaves alike,
///   so any split of the log is a draw from the experiment's randomisation distribution; what is
///   held fixed is the population. A planted effect comes from the behaviour model as potential
///   outcomes: the same draw that decides an action decides whether it would also happen with
///   propensity·(1 + effect); those extra actions are credited to whoever lands in treatment.
///   A full simulation costs seconds to minutes, a re-analysis milliseconds, so hundreds of runs
///   fit in a test.
/// - re-simulated (`resimulate`): a new population and event log per run, the planted effect
///   acting on the treatment's behaviour during the run. Slower; also varies the population.
public enum Calibration {
    public static func run(_ options: CalibrationOptions, progress: (@Sendable (String) -> Void)? = nil) async throws -> CalibrationResult {
        guard options.runs > 0 else { throw SimulationError("--runs must be positive") }
        let started = Date()
        var result = options.resimulate ? try await resimulated(options, progress: progress) : try await Rerandomisation.run(options, progress: progress)
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    /// Tallies how often each test flags across runs, in the order tests first appear.
    struct Tally {
        var counts: [String: (hits: Int, trials: Int, unavailable: Int, sequential: Bool)] = [:]
        var order: [String] = []
        var alpha = 0.05

        mutating func add(_ report: ExperimentReport) {
            alpha = report.alpha
            for metric in report.metrics {
                for comparison in metric.comparisons {
                    let test = "\(metric.id) (\(Calibration.testName(metric, report, comparison)))"
                    if counts[test] == nil { order.append(test) }
                    var entry = counts[test] ?? (0, 0, 0, report.sequential)
                    if comparison.unavailable != nil {
                        entry.unavailable += 1
                    } else {
                        entry.trials += 1
                        if Calibration.isFlagged(comparison, alpha: report.alpha) { entry.hits += 1 }
                    }
                    counts[test] = entry
                }
            }
        }

        var segmentNames: [String] = []
        var segmentRuns = 0, anyUncorrected = 0, anyCorrected = 0, segmentComparisons = 0, segmentFlags = 0

        /// Counts one run's segment breakdown.
        mutating func addSegments(_ breakdowns: [ExperimentReport.SegmentBreakdown], alpha: Double) {
            guard !breakdowns.isEmpty else { return }
            segmentNames = breakdowns.map(\.segment)
            segmentRuns += 1
            var raw = false, corrected = false
            for breakdown in breakdowns {
                for value in breakdown.values {
                    for metric in value.metrics {
                        for comparison in metric.comparisons {
                            guard let p = comparison.pValue else { continue }
                            segmentComparisons += 1
                            if p < alpha {
                                segmentFlags += 1
                                raw = true
                            }
                            if comparison.significant { corrected = true }
                        }
                    }
                }
            }
            if raw { anyUncorrected += 1 }
            if corrected { anyCorrected += 1 }
        }

        var segmentCheck: CalibrationResult.SegmentCheck? {
            guard segmentRuns > 0 else { return nil }
            return CalibrationResult.SegmentCheck(
                segments: segmentNames, comparisonsPerRun: Double(segmentComparisons) / Double(segmentRuns),
                anyUncorrected: BinomialEstimate(successes: anyUncorrected, trials: segmentRuns),
                anyCorrected: BinomialEstimate(successes: anyCorrected, trials: segmentRuns),
                perComparison: BinomialEstimate(successes: segmentFlags, trials: segmentComparisons))
        }

        var rates: [CalibrationResult.TestRate] {
            order.map { test in
                let entry = counts[test]!
                return CalibrationResult.TestRate(test: test, flagged: BinomialEstimate(successes: entry.hits, trials: entry.trials),
                                                  unavailable: entry.unavailable, sequential: entry.sequential)
            }
        }
    }

    static func resimulated(_ options: CalibrationOptions, progress: (@Sendable (String) -> Void)?) async throws -> CalibrationResult {
        var tally = Tally()
        for run in 0..<options.runs {
            var simulation = options.base
            simulation.aa = true
            simulation.plantedEffect = nil
            simulation.seed = options.firstSeed &+ UInt64(run)
            simulation.analyseDaily = false
            let report = try await SimulationRunner.run(simulation).report
            tally.add(report)
            tally.addSegments(report.segments, alpha: report.alpha)
            progress?("A/A run \(run + 1)/\(options.runs)")
        }
        var power: CalibrationResult.PowerCheck?
        if let effect = options.plantedEffect {
            var detected = 0, trials = 0, unavailable = 0
            var predictions: [Double] = []
            for run in 0..<options.runs {
                var simulation = options.base
                simulation.aa = true
                simulation.plantedEffect = effect
                simulation.seed = options.firstSeed &+ 1_000_003 &+ UInt64(run)
                simulation.analyseDaily = false
                let report = try await SimulationRunner.run(simulation).report
                progress?("planted run \(run + 1)/\(options.runs)")
                guard let metric = report.metrics.first(where: { $0.id == effect.metric }), let comparison = metric.comparisons.first,
                    comparison.unavailable == nil
                else {
                    unavailable += 1
                    continue
                }
                trials += 1
                if isFlagged(comparison, alpha: report.alpha), comparison.relativeLift * effect.relative > 0 { detected += 1 }
                if let predicted = predictedPower(report, metric: metric, effect: effect) { predictions.append(predicted) }
            }
            power = CalibrationResult.PowerCheck(
                effect: effect, detected: BinomialEstimate(successes: detected, trials: trials),
                predicted: predictions.isEmpty ? nil : predictions.reduce(0, +) / Double(predictions.count), unavailable: unavailable)
        }
        var result = CalibrationResult(alpha: tally.alpha, falsePositives: tally.rates, power: power, watched: nil, seconds: 0,
                                       method: "re-simulated: a new population for every run")
        result.segments = tally.segmentCheck
        return result
    }

    /// Raw (per-test) significance: calibration checks each test, not the family correction.
    static func isFlagged(_ comparison: ExperimentReport.Comparison, alpha: Double) -> Bool {
        if let p = comparison.pValue { return p < alpha }
        return comparison.significant  // sequential: the always-valid interval excludes zero
    }

    /// The test the report names (`Comparison.test`), e.g. "pooled z" or "sequential pooled z".
    static func testName(_ metric: ExperimentReport.MetricResult, _ report: ExperimentReport, _ comparison: ExperimentReport.Comparison) -> String {
        comparison.test ?? (report.sequential ? "sequential" : metric.kind)
    }

    /// The formula's power for the planted relative lift, on the relative scale the report tests
    /// (`RelativePower`): the report's absolute MDE at 80% power gives σ² (MDE = (z₁₋α/₂ + z₀.₈)·sqrt(2σ²/n)).
    static func predictedPower(_ report: ExperimentReport, metric: ExperimentReport.MetricResult, effect: PlantedEffect) -> Double? {
        guard let estimate = report.power, estimate.metric == metric.id, let control = metric.arms.first?.value, control != 0,
            let zSum = try? Power.minimumDetectableEffect(usersPerArm: 1, variance: 0.5, alpha: report.alpha, power: 0.8)
        else { return nil }
        let standardError = estimate.minimumDetectableEffect / zSum
        guard standardError > 0 else { return nil }
        let users = max(1, metric.arms.map(\.users).min() ?? 1)
        return try? RelativePower.achievedPower(
            relativeLift: effect.relative, controlMean: control, variance: standardError * standardError * Double(users) / 2,
            usersPerArm: users, alpha: report.alpha)
    }
}
