import Core
import Experiments
import Foundation
import LuaHost

/// Automated A/B runs: a seeded population driving the real service code.
///
/// `SimulationRunner.run` builds a population with `DemoWorld` in a throwaway database, then
/// plays D simulated days: a Lua behaviour model (`experiments/behaviour.lua`) gives each user's
/// propensities for the day, Swift samples the actions, and every action goes through
/// `QuanziService` (Lua rules, moderation, ranking, exposure logging, the wallet). The service's
/// own `ExperimentWatcher` looks at the experiment every `watchIntervalMinutes` of simulated
/// time, so the ramp moves on and a harmful experiment stops at the look where its guardrail
/// trips, exactly as in `quanzi serve`.
public enum Simulation {
    /// 2026-03-01T00:00:00Z: the fixed start of every simulation (no wall-clock time in reports).
    public static let defaultStartEpochSeconds: Int64 = 1_772_323_200
}

/// Why a simulation could not run.
public struct SimulationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `--planted-effect likes_per_user=+3%`: the treatment's propensity for the metric's event is
/// multiplied by (1 + relative). Only mean metrics of events users do themselves (posts,
/// comments, likes) can be planted.
public struct PlantedEffect: Sendable, Hashable, CustomStringConvertible {
    public enum Action: String, Sendable, Hashable { case post, comment, like }

    public var metric: String
    public var relative: Double

    public init(metric: String, relative: Double) {
        self.metric = metric
        self.relative = relative
    }

    /// Parses `METRIC=+3%`, `METRIC=-10%` or `METRIC=0.03`.
    public init(parsing text: String) throws(SimulationError) {
        let parts = text.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty else { throw SimulationError("--planted-effect expects METRIC=+3%, got '\(text)'") }
        var number = parts[1]
        var scale = 1.0
        if number.hasSuffix("%") {
            number.removeLast()
            scale = 0.01
        }
        if number.hasPrefix("+") { number.removeFirst() }
        guard let value = Double(number), value.isFinite, value > -1 / scale else {
            throw SimulationError("--planted-effect: '\(parts[1])' is not a relative change like +3%")
        }
        self.init(metric: parts[0], relative: value * scale)
    }

    public var description: String {
        "\(metric)=\(relative >= 0 ? "+" : "")\(String(format: "%g", relative * 100))%"
    }

    /// The action whose propensity carries the effect, from the metric's definition.
    func action(in experiments: ExperimentSet) throws(SimulationError) -> Action {
        guard let metric = experiments.metric(metric) else { throw SimulationError("--planted-effect: no metric '\(self.metric)' in metrics.lua") }
        guard case .mean(let measure) = metric.kind, metric.attribution == .actor, measure.valueField == nil else {
            throw SimulationError("--planted-effect: '\(self.metric)' must be a mean metric counting the user's own events")
        }
        switch measure.event {
        case "post.created": return .post
        case "comment.created": return .comment
        case "like.created": return .like
        default: throw SimulationError("--planted-effect: cannot plant an effect on '\(measure.event)' (post.created, comment.created or like.created)")
        }
    }
}

/// What to simulate.
public struct SimulationOptions: Sendable {
    public var experiment: String
    public var users: Int
    public var days: Int
    public var seed: UInt64
    public var pluginsDirectory = "plugins"
    public var experimentsDirectory = "experiments"
    /// The behaviour model; nil means `<experiments>/behaviour.lua`.
    public var behaviourPath: String?
    public var plantedEffect: PlantedEffect?
    /// Calibration: the effect's extra actions are drawn for every user but not taken; they are
    /// kept per user so that each re-randomised split can credit them to its treatment arm.
    var latentEffect: PlantedEffect?
    /// A/A: every variant gets the control's parameters.
    public var aa = false
    /// Overrides the experiment's traffic share (calibration on small populations).
    public var traffic: Double?
    /// A new database file to keep; nil simulates in a throwaway temporary database.
    public var databasePath: String?
    public var limits: ScriptLimits = .default
    public var startEpochSeconds = Simulation.defaultStartEpochSeconds
    /// Posts shown per feed session.
    public var feedPageSize = 10
    /// Run the experiment's lifecycle as the service would (the watcher's looks, ramp steps and
    /// guardrail stops) and analyse at the end of every simulated day; false (calibration) runs
    /// the whole population through the experiment as declared and analyses once at the end.
    public var analyseDaily = true
    /// Minutes of simulated time between the watcher's looks, as `serve --watch-interval-minutes`;
    /// nil judges guardrails only at the end of each day with fixed-horizon intervals (`ab analyze`).
    public var watchIntervalMinutes: Int? = 10

    public init(experiment: String, users: Int = 2_000, days: Int = 7, seed: UInt64 = 1) {
        self.experiment = experiment
        self.users = users
        self.days = days
        self.seed = seed
    }

    public var resolvedBehaviourPath: String {
        behaviourPath ?? (experimentsDirectory as NSString).appendingPathComponent("behaviour.lua")
    }
}

/// Progress of a run: `done` out of `total` units of work.
public struct SimulationProgress: Sendable {
    public var phase: String
    public var done: Int
    public var total: Int
}
