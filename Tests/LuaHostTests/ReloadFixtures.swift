import Core
import Experiments
import Foundation
import Social

@testable import LuaHost

/// Files a reload replaces, written so that each test edits one thing with a string replacement.
enum ReloadFixture {
    /// A circle with two rules, a ranking weight and a test case; the `comment` rule is lines 9–11.
    static let circle = """
        -- A diary circle.
        return quanzi.circle {
          id = "diary",
          title = "Diary",
          rules = {
            view = function(user, circle, post)
              return true
            end,
            comment = function(user, circle, post)
              return quanzi.credit.score(user.id) >= 750, "credit 750+ required"
            end,
          },
          ranking = { w_affinity = 1.5 },
          tests = {
            { action = "view", expect = true, user = {} },
          },
        }
        """

    /// A running experiment at 10% traffic, weights 0.5/0.5, phase 1 unless `phase` says otherwise.
    static func experiment(status: String = "running", phase: Int? = nil) -> String {
        """
        return quanzi.experiment {
          id = "comment-bar",
          status = "\(status)",
          traffic = 0.1,\(phase.map { "\n  phase = \($0)," } ?? "")
          variants = {
            { name = "control", weight = 0.5, params = { min_credit = 750 } },
            { name = "treatment", weight = 0.5, params = { min_credit = 700 } },
          },
          metrics = { primary = "posts_per_user" },
        }
        """
    }

    static let metrics = testMetrics.code

    /// Loads the plugin and experiment files (path → text), failing the test on any problem.
    static func load(plugins: [String: String], experiments: [String: String]) throws -> (plugins: PluginSet, experiments: ExperimentSet) {
        let pluginSources = plugins.sorted { $0.key < $1.key }.map { PluginSource(path: "plugins/\($0.key)", code: $0.value) }
        let experimentSources = experiments.sorted { $0.key < $1.key }.map { PluginSource(path: "experiments/\($0.key)", code: $0.value) }
        return (try PluginSet.load(pluginSources), try ExperimentSet.load(experimentSources))
    }

    /// The diary circle and the comment-bar experiment with its metrics, from these texts.
    static func load(circle: String = Self.circle, experiment: String = Self.experiment()) throws -> (plugins: PluginSet, experiments: ExperimentSet) {
        try load(plugins: ["diary.lua": circle], experiments: ["comment-bar.lua": experiment, "metrics.lua": metrics])
    }
}

extension String {
    /// The text with `target` replaced, which must occur (a fixture edit that silently missed
    /// would make its test pass for the wrong reason).
    func replacing(_ target: String, with replacement: String) -> String {
        precondition(contains(target), "the fixture has no '\(target)'")
        return replacingOccurrences(of: target, with: replacement)
    }
}
