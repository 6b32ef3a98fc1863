import Core
import Experiments
import Foundation
import Service
import StorageModel

/// The watched A/A measure (`CalibrationResult.WatchedCheck`): every re-randomised A/A split is
/// looked at every `watchIntervalMinutes` of simulated time, as `serve` watches a running
/// experiment, and judged by the analyser on a copy of the spec with `sequential = true`; a split
/// is a false stop if any look has a guardrail `.violated`.
///
/// The database is read once per look, not once per look and split: with every exposed user
/// given a variant of their own (`calibration-user-ID`) the service's metric reader returns each
/// user's values of the guardrail metrics up to the look, and only the changes since the previous
/// look are kept. Each split then sweeps the looks in memory, moving users' values between its
/// arms' `MetricAccumulator`s, and hands them to `ExperimentAnalyzer` as the service would.
enum WatchedAA {
    /// One user's values of one metric changed by a look.
    struct Change {
        var user: Int
        var metric: Int
        var value: Double
        var companion: Double
    }

    static func run(
        _ world: SimulatedWorld, exposures: [ExperimentExposure], options: CalibrationOptions, progress: (@Sendable (String) -> Void)?
    ) throws -> CalibrationResult.WatchedCheck? {
        let spec = world.spec
        guard !spec.guardrails.isEmpty else { return nil }
        guard options.watchIntervalMinutes > 0 else { throw SimulationError("--watch-interval-minutes must be positive") }
        var seen = Set<String>()
        let definitions = spec.guardrails.map(\.metric).filter { seen.insert($0).inserted }.compactMap {
            world.service.experiments.experiments.metric($0)
        }
        let forced = Set(world.service.experiments.forcedUsers(experiment: spec.id))
        let watched = exposures.filter { !forced.contains($0.userID) }
        let looks = lookTimes(from: options.base.startEpochSeconds, to: world.endEpochSeconds, every: Int64(options.watchIntervalMinutes) * 60)
        progress?("watched A/A: reading \(watched.count) users' guardrail values at \(looks.count) looks")
        let changes = try perUserChanges(world, users: watched, metrics: definitions, looks: looks)

        var sequential = spec
        sequential.sequential = true
        let order = watched.indices.sorted { watched[$0].firstExposedAtEpochSeconds < watched[$1].firstExposedAtEpochSeconds }
        let userIDs = watched.map(\.userID)
        var stops = 0, alarms = 0
        var firstStopLooks = [Int](repeating: 0, count: looks.count)
        for run in 0..<options.runs {
            let arms = Rerandomisation.split(userIDs, salt: Rerandomisation.aaSalt(options, run: run), spec: spec)
            let outcome = watch(
                spec: sequential, metrics: definitions, arms: arms, order: order, firstExposed: watched.map(\.firstExposedAtEpochSeconds),
                looks: looks, changes: changes)
            if let look = outcome.firstViolation {
                stops += 1
                firstStopLooks[look] += 1
            }
            if outcome.firstSignificant != nil { alarms += 1 }
            if (run + 1) % max(1, options.runs / 10) == 0 { progress?("watched A/A split \(run + 1)/\(options.runs)") }
        }
        return CalibrationResult.WatchedCheck(
            intervalMinutes: options.watchIntervalMinutes, looks: looks.count, guardrails: definitions.map(\.id),
            falseStops: BinomialEstimate(successes: stops, trials: options.runs),
            anyLookSignificant: BinomialEstimate(successes: alarms, trials: options.runs), firstStopLooks: firstStopLooks)
    }

    /// start + interval, start + 2·interval, … and the end itself.
    static func lookTimes(from start: Int64, to end: Int64, every interval: Int64) -> [Int64] {
        var looks = Array(stride(from: start + interval, to: end, by: Int(interval)))
        looks.append(end)
        return looks
    }

    /// Per look, the users whose values changed since the previous look (events before the look's
    /// time, after the user's first exposure: what the reader counts with `before`). The users'
    /// exposures get their own variants for the reads and their variants back afterwards.
    static func perUserChanges(_ world: SimulatedWorld, users: [ExperimentExposure], metrics: [MetricDefinition], looks: [Int64]) throws
        -> [[Change]]
    {
        let calibration = try world.calibration()
        let names = users.map { "calibration-user-\($0.userID.rawValue)" }
        var perUser = world.spec
        perUser.variants = names.map { ExperimentSpec.Variant(name: $0, weight: 1 / Double(names.count)) }
        try calibration.reassignVariants(of: world.spec.id, phase: world.spec.phase, zip(users.map(\.userID), names).map { ($0, $1) })
        var current = [[(value: Double, companion: Double)]](repeating: Array(repeating: (0, 0), count: users.count), count: metrics.count)
        var changes: [[Change]] = []
        for look in looks {
            let observations = try world.service.storage.metrics.observations(for: perUser, metrics: metrics, excluding: [], before: look)
            var lookChanges: [Change] = []
            for (user, variant) in observations.variants.enumerated() {
                for (index, metric) in metrics.enumerated() {
                    let accumulator = variant.metrics[metric.id] ?? MetricAccumulator()
                    let now = (accumulator.sumValue, accumulator.sumCompanion)
                    guard now != current[index][user] else { continue }
                    current[index][user] = now
                    lookChanges.append(Change(user: user, metric: index, value: now.0, companion: now.1))
                }
            }
            changes.append(lookChanges)
        }
        try calibration.reassignVariants(of: world.spec.id, phase: world.spec.phase, users.map { ($0.userID, $0.variant) })
        return changes
    }

    /// The first look (index) at which the split's analysis has a guardrail violated, and the
    /// first at which a guardrail metric's interval excludes no change in either direction (the
    /// always-valid guarantee itself, whatever the guardrail's allowance), if any.
    static func watch(
        spec: ExperimentSpec, metrics: [MetricDefinition], arms: [Int], order: [Int], firstExposed: [Int64], looks: [Int64], changes: [[Change]]
    ) -> (firstViolation: Int?, firstSignificant: Int?) {
        var sweep = Sweep(variants: spec.variants.count, metrics: metrics.count, arms: arms, order: order, firstExposed: firstExposed)
        var violation: Int?, significant: Int?
        for (lookIndex, look) in looks.enumerated() {
            // Nothing new since the last look: the same data gives the same verdict.
            guard sweep.advance(to: look, changes: changes[lookIndex]), sweep.usersPerArm.allSatisfy({ $0 >= 2 }) else { continue }
            let report = ExperimentAnalyzer.analyze(ExperimentAnalyzer.Input(
                spec: spec, metrics: metrics, variants: sweep.observations(spec: spec, metrics: metrics), status: .running,
                analyzedAtEpochSeconds: look))
            if violation == nil, report.guardrails.contains(where: { $0.verdict == .violated }) { violation = lookIndex }
            if significant == nil, report.metrics.contains(where: { $0.comparisons.contains { $0.unavailable == nil && $0.significant } }) {
                significant = lookIndex
            }
            if violation != nil, significant != nil { break }
        }
        return (violation, significant)
    }

    /// One split's arms through the looks: users join their arm at their first exposure, and a
    /// changed value replaces the old one in the arm's accumulator.
    struct Sweep {
        let arms: [Int]
        let order: [Int]
        let firstExposed: [Int64]
        var accumulators: [[MetricAccumulator]]
        var values: [[(value: Double, companion: Double)]]
        var joined: [Bool]
        var usersPerArm: [Int]
        var next = 0

        init(variants: Int, metrics: Int, arms: [Int], order: [Int], firstExposed: [Int64]) {
            self.arms = arms
            self.order = order
            self.firstExposed = firstExposed
            accumulators = Array(repeating: Array(repeating: MetricAccumulator(), count: variants), count: metrics)
            values = Array(repeating: Array(repeating: (0, 0), count: arms.count), count: metrics)
            joined = Array(repeating: false, count: arms.count)
            usersPerArm = Array(repeating: 0, count: variants)
        }

        /// Applies a look's changes and joins the users first exposed before it; whether anything changed.
        mutating func advance(to look: Int64, changes: [Change]) -> Bool {
            var changed = false
            for change in changes {
                let old = values[change.metric][change.user]
                values[change.metric][change.user] = (change.value, change.companion)
                guard joined[change.user] else { continue }
                accumulators[change.metric][arms[change.user]].remove(value: old.value, companion: old.companion)
                accumulators[change.metric][arms[change.user]].add(value: change.value, companion: change.companion)
                changed = true
            }
            while next < order.count, firstExposed[order[next]] < look {
                let user = order[next]
                joined[user] = true
                usersPerArm[arms[user]] += 1
                for metric in accumulators.indices {
                    accumulators[metric][arms[user]].add(value: values[metric][user].value, companion: values[metric][user].companion)
                }
                next += 1
                changed = true
            }
            return changed
        }

        /// What the metric reader would return for the split at this look.
        func observations(spec: ExperimentSpec, metrics: [MetricDefinition]) -> [VariantObservations] {
            spec.variants.indices.map { arm in
                VariantObservations(
                    name: spec.variants[arm].name, users: usersPerArm[arm],
                    metrics: Dictionary(uniqueKeysWithValues: metrics.indices.map { (metrics[$0].id, accumulators[$0][arm]) }))
            }
        }
    }
}
