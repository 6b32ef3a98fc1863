import Core
import Experiments
import Social

/// The plugins and experiments folders, loaded as `quanzi check` and `quanzi test` would: every
/// file valid and every Lua test case passing, or every problem as `file:line: message`. What
/// the service loads at start and at each reload.
public struct ScriptFolders: Sendable, Hashable {
    public var plugins: String
    public var experiments: String

    public init(plugins: String, experiments: String) {
        self.plugins = plugins
        self.experiments = experiments
    }

    /// Loads and validates both folders (`quanzi check`). All or nothing.
    public func load(limits: ScriptLimits = .default) throws(PluginLoadError) -> (plugins: PluginSet, experiments: ExperimentSet) {
        var problems: [PluginProblem] = []
        var pluginSet: PluginSet?
        var experimentSet: ExperimentSet?
        do throws(PluginLoadError) {
            pluginSet = try PluginSet.load(directory: plugins, limits: limits)
        } catch {
            problems += error.problems
        }
        do throws(PluginLoadError) {
            experimentSet = try ExperimentSet.load(directory: experiments, limits: limits)
        } catch {
            problems += error.problems
        }
        guard let pluginSet, let experimentSet, problems.isEmpty else { throw PluginLoadError(problems: problems) }
        return (pluginSet, experimentSet)
    }

    /// Loads both folders and runs every Lua test case (`quanzi check` and `quanzi test`): a
    /// failing case is a problem at its own line.
    public func loadTested(limits: ScriptLimits = .default) throws(PluginLoadError) -> (plugins: PluginSet, experiments: ExperimentSet) {
        let loaded = try load(limits: limits)
        let failures = Self.testFailures(plugins: loaded.plugins, experiments: loaded.experiments, limits: limits)
        if !failures.isEmpty { throw PluginLoadError(problems: failures) }
        return loaded
    }

    /// Every failing Lua test case of the two sets, as problems.
    public static func testFailures(plugins: PluginSet, experiments: ExperimentSet, limits: ScriptLimits = .default) -> [PluginProblem] {
        let rules = RuleEngine(plugins: plugins, dataSource: EmptyDataSource(), limits: limits)
        let assignment = ExperimentEngine(experiments: experiments, dataSource: EmptyDataSource(), limits: limits)
        return (RuleTestRunner.run(rules) + ExperimentTestRunner.run(assignment)).compactMap { outcome in
            outcome.failure.map { PluginProblem(outcome.location, "test failed: \(outcome.title): \($0)") }
        }
    }
}

/// What a reload may not do to experiments already live.
public enum ReloadCompatibility {
    /// The problems with replacing `old` by `new` while the experiments `isLive` says are running
    /// or shipped: an edit that moves their users between variants without a new phase (at the
    /// new file's declaration), or a live experiment's declaration gone (at the old one: its
    /// users would lose their variant with no stop or ship recorded, and nothing could analyse it).
    public static func problems(old: ExperimentSet, new: ExperimentSet, isLive: (ExperimentSpec) -> Bool) -> [PluginProblem] {
        let edits = new.experiments.compactMap { newSpec -> PluginProblem? in
            guard let oldSpec = old.experiment(newSpec.id), isLive(oldSpec),
                  let refusal = AssignmentEdit.refusal(from: oldSpec, to: newSpec)
            else { return nil }
            return PluginProblem(SourceLocation(file: newSpec.file, line: newSpec.line), refusal)
        }
        let removals = old.experiments.compactMap { oldSpec -> PluginProblem? in
            guard new.experiment(oldSpec.id) == nil, isLive(oldSpec) else { return nil }
            return PluginProblem(
                SourceLocation(file: oldSpec.file, line: oldSpec.line),
                "experiment '\(oldSpec.id)' is live: stop it (quanzi ab stop) or ship it (quanzi ab ship) before removing its declaration")
        }
        return edits + removals
    }
}
