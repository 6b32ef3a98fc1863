import Core
import Experiments
import Foundation
import Service
import StorageModel

/// Calibration on one simulated A/A population (see `Calibration`): every run re-draws the
/// assignment of the exposed users with a new salt and analyses the same event log again.
enum Rerandomisation {
    static func run(_ options: CalibrationOptions, progress: (@Sendable (String) -> Void)?) async throws -> CalibrationResult {
        var simulation = options.base
        simulation.aa = true
        simulation.plantedEffect = nil
        simulation.latentEffect = options.plantedEffect
        simulation.seed = options.firstSeed
        simulation.analyseDaily = false
        progress?("simulating one A/A population of \(simulation.users) users × \(simulation.days) days")
        var result: CalibrationResult?
        _ = try await SimulationRunner.run(simulation, progress: nil) { world in
            result = try analyse(world, options: options, progress: progress)
        }
        guard let result else { throw SimulationError("the calibration population was not analysed") }
        return result
    }

    /// Each split is judged on every shipped metric (not only the experiment's), with the
    /// fixed-horizon tests and with the always-valid ones (a copy of the spec with `sequential`),
    /// from one read of the service's metric reader; then the watched A/A measure.
    static func analyse(_ world: SimulatedWorld, options: CalibrationOptions, progress: (@Sendable (String) -> Void)?) throws -> CalibrationResult {
        let calibration = try world.calibration()
        let exposures = try world.service.experiments.store.exposures(of: world.spec.id, phase: world.spec.phase)
        let minimumExposed = 4 * world.spec.variants.count
        guard exposures.count >= minimumExposed else {
            throw SimulationError("only \(exposures.count) users were exposed to \(world.spec.id): too few to calibrate; raise --users, --days or --traffic")
        }
        let users = exposures.map(\.userID)
        let metrics = world.service.experiments.experiments.metrics
        var fixed = world.spec
        fixed.secondaryMetrics += metrics.map(\.id).filter { !world.spec.allMetrics.contains($0) }
        fixed.sequential = false
        var sequential = fixed
        sequential.sequential = true
        let forced = Set(world.service.experiments.forcedUsers(experiment: world.spec.id))
        var tally = Calibration.Tally()
        // Each user's segment values, once: a split changes their variant, not who they are.
        var segmentValuesOfUser: [UserID: [String?]] = [:]
        if !fixed.segments.isEmpty {
            let analysed = exposures.filter { !forced.contains($0.userID) }.map { (userID: $0.userID, firstExposedAtEpochSeconds: $0.firstExposedAtEpochSeconds) }
            let values = try world.service.experiments.segmentValues(fixed, users: analysed)
            for (user, row) in zip(analysed, values) { segmentValuesOfUser[user.userID] = row }
        }
        for run in 0..<options.runs {
            let arms = split(users, salt: aaSalt(options, run: run), spec: world.spec)
            try calibration.reassignVariants(
                of: world.spec.id, phase: world.spec.phase, zip(users, arms).map { ($0, world.spec.variants[$1].name) })
            let observations = try world.service.storage.metrics.observations(for: fixed, metrics: metrics, excluding: forced, before: nil)
            for spec in [fixed, sequential] {
                tally.add(ExperimentAnalyzer.analyze(ExperimentAnalyzer.Input(
                    spec: spec, metrics: metrics, variants: observations.variants, status: .running, analyzedAtEpochSeconds: world.endEpochSeconds)))
            }
            if !segmentValuesOfUser.isEmpty, let perUser = observations.perUser {
                let input = ExperimentAnalyzer.Input(
                    spec: fixed, metrics: metrics, variants: observations.variants, status: .running, analyzedAtEpochSeconds: world.endEpochSeconds,
                    caps: observations.caps)
                let values = perUser.analysedUsers.map { segmentValuesOfUser[$0.userID] ?? [] }
                tally.addSegments(ExperimentService.segmentBreakdown(values: values, spec: fixed, input: input, perUser: perUser), alpha: fixed.alpha)
            }
            if (run + 1) % max(1, options.runs / 10) == 0 { progress?("A/A split \(run + 1)/\(options.runs)") }
        }
        var power: CalibrationResult.PowerCheck?
        if let effect = options.plantedEffect {
            power = try plantedRuns(world, exposures: exposures, effect: effect, options: options, progress: progress)
        }
        let watched = try WatchedAA.run(world, exposures: exposures, options: options, progress: progress)
        var result = CalibrationResult(
            alpha: tally.alpha, falsePositives: tally.rates, power: power, watched: watched, seconds: 0,
            method: "re-randomised: \(options.runs) assignments of the \(exposures.count) exposed users of one simulated population")
        result.segments = tally.segmentCheck
        return result
    }

    /// The salt of A/A split `run`: the watched measure re-draws the same splits.
    static func aaSalt(_ options: CalibrationOptions, run: Int) -> String { "calibration-aa-\(options.firstSeed)-\(run)" }

    /// Variant index per user from a GrowthBook hash of (salt, user): the experiment's weights,
    /// full coverage (everyone here was already exposed).
    static func split(_ users: [UserID], salt: String, spec: ExperimentSpec) -> [Int] {
        let ranges = GrowthBook.getBucketRanges(numVariations: spec.variants.count, coverage: 1, weights: spec.variants.map(\.weight))
        return users.map { user in
            let bucket = GrowthBook.hash(seed: salt, value: String(user.rawValue), version: 2) ?? 0
            return GrowthBook.chooseVariation(bucket, ranges: ranges) ?? 0
        }
    }

    /// Runs with the planted effect: each split credits the latent actions of its treatment
    /// users (after their first exposure) to them, then the analyser compares the arms. The
    /// per-user counts come from one query (`ExposureCalibrating`); the last A/A report checks them against the
    /// service's metric reader.
    static func plantedRuns(
        _ world: SimulatedWorld, exposures: [ExperimentExposure], effect: PlantedEffect, options: CalibrationOptions,
        progress: (@Sendable (String) -> Void)?
    ) throws -> CalibrationResult.PowerCheck {
        guard let definition = world.service.experiments.experiments.metric(effect.metric), case .mean(let measure) = definition.kind else {
            throw SimulationError("--planted-effect: no mean metric '\(effect.metric)'")
        }
        let counts = try world.calibration().eventCountsSinceExposure(measure.event, experiment: world.spec.id, phase: world.spec.phase)
        let base = exposures.map { Double(counts[$0.userID] ?? 0) }
        let latent = exposures.map { exposure in
            Double((world.latentActions[exposure.userID] ?? []).filter { $0 >= exposure.firstExposedAtEpochSeconds }.count)
        }
        try checkAgainstReader(world, exposures: exposures, metric: effect.metric, base: base)

        var detected = 0, trials = 0, unavailable = 0
        for run in 0..<options.runs {
            let arms = split(exposures.map(\.userID), salt: "calibration-planted-\(options.firstSeed)-\(run)", spec: world.spec)
            var accumulators = [MetricAccumulator](repeating: MetricAccumulator(), count: world.spec.variants.count)
            for index in exposures.indices {
                accumulators[arms[index]].add(value: base[index] + (arms[index] == 0 ? 0 : latent[index]))
            }
            let variants = zip(world.spec.variants, accumulators).map { variant, accumulator in
                VariantObservations(name: variant.name, users: accumulator.users, metrics: [definition.id: accumulator])
            }
            let report = ExperimentAnalyzer.analyze(ExperimentAnalyzer.Input(
                spec: world.spec, metrics: [definition], variants: variants, status: .running, analyzedAtEpochSeconds: world.endEpochSeconds))
            if (run + 1) % max(1, options.runs / 10) == 0 { progress?("planted split \(run + 1)/\(options.runs)") }
            guard let comparison = report.metrics.first(where: { $0.id == definition.id })?.comparisons.first, comparison.unavailable == nil else {
                unavailable += 1
                continue
            }
            trials += 1
            if Calibration.isFlagged(comparison, alpha: report.alpha), comparison.relativeLift * effect.relative > 0 { detected += 1 }
        }
        return CalibrationResult.PowerCheck(
            effect: effect, detected: BinomialEstimate(successes: detected, trials: trials),
            predicted: predictedPower(base, effect: effect, spec: world.spec), unavailable: unavailable)
    }

    /// The power formula on the report's relative scale (`RelativePower`: equal arms, equal
    /// variances, normal approximation) for the planted relative effect on the population's own
    /// mean and variance, at the arms' expected size.
    static func predictedPower(_ values: [Double], effect: PlantedEffect, spec: ExperimentSpec) -> Double? {
        var summary = MetricAccumulator()
        for value in values { summary.add(value: value) }
        let n = Double(values.count)
        guard n > 1 else { return nil }
        let mean = summary.sumValue / n
        let variance = (summary.sumValueSquares - n * mean * mean) / (n - 1)
        let usersPerArm = Int((n * (spec.variants.map(\.weight).min() ?? 0.5)).rounded())
        return try? RelativePower.achievedPower(
            relativeLift: effect.relative, controlMean: mean, variance: variance, usersPerArm: usersPerArm, alpha: spec.alpha)
    }

    /// The per-user counts must add up to what the service's reader gives the current split, or
    /// the power runs would measure something else than the reports do.
    static func checkAgainstReader(_ world: SimulatedWorld, exposures: [ExperimentExposure], metric: String, base: [Double]) throws {
        guard world.spec.allMetrics.contains(metric) else { return }
        let report = try world.service.experiments.analyze(world.spec.id, now: world.endEpochSeconds, applyGuardrails: false)
        guard let arms = report.metrics.first(where: { $0.id == metric })?.arms else { return }
        let readerTotal = arms.reduce(0.0) { $0 + $1.value * Double($1.users) }
        let ownTotal = base.reduce(0, +)
        guard abs(readerTotal - ownTotal) <= 1e-6 * max(1, ownTotal) else {
            throw SimulationError("calibration counted \(ownTotal) \(metric) events but the metric reader \(readerTotal)")
        }
    }
}
