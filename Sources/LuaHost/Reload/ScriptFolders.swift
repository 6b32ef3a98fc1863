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
        let unknown = Self.unknownExperimentReferences(plugins: pluginSet, experiments: experimentSet)
        if !unknown.isEmpty { throw PluginLoadError(problems: unknown) }
        return (pluginSet, experimentSet)
    }

    /// `quanzi.ab.param(user, "id", ...)` and `quanzi.ab.variant(user, "id")` calls in the plugins
    /// whose experiment id is a literal no experiment file declares: at run time such a call fails
    /// the rule (and so denies), so it is refused at load instead, at its line. A reload that
    /// removes an experiment a plugin still reads is refused this way. Ids built at run time are
    /// not seen here.
    static func unknownExperimentReferences(plugins: PluginSet, experiments: ExperimentSet) -> [PluginProblem] {
        let known = Set(experiments.experiments.map(\.id))
        var problems: [PluginProblem] = []
        for circle in plugins.circles {
            for id in circle.ranking.experiments where !known.contains(id) {
                problems.append(PluginProblem(
                    circle.location, "circle '\(circle.id)' ranks with experiment '\(id)', which no file in the experiments folder declares"))
            }
        }
        for source in plugins.sources {
            for (offset, line) in source.code.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for id in referencedExperiments(in: line) where !known.contains(id) {
                    let hint = SchemaReader.closest(to: id, in: known.sorted()).map { " (did you mean '\($0)'?)" } ?? ""
                    problems.append(PluginProblem(
                        SourceLocation(file: source.path, line: offset + 1),
                        "quanzi.ab reads experiment '\(id)', which no file in the experiments folder declares\(hint)"))
                }
            }
        }
        return problems
    }

    /// The literal experiment ids of the `quanzi.ab.param(` / `quanzi.ab.variant(` calls on one line
    /// (outside a `--` comment).
    static func referencedExperiments(in line: Substring) -> [String] {
        let code = line.range(of: "--").map { line[..<$0.lowerBound] } ?? line
        var ids: [String] = []
        var rest = code[...]
        while let call = rest.range(of: "quanzi.ab.") {
            rest = rest[call.upperBound...]
            guard rest.hasPrefix("param(") || rest.hasPrefix("variant(") else { continue }
            // Skip the first argument (the user), then read a quoted literal, if that is what follows.
            guard let comma = rest.firstIndex(of: ",") else { break }
            let argument = rest[rest.index(after: comma)...].drop { $0 == " " || $0 == "\t" }
            guard let quote = argument.first, quote == "\"" || quote == "'" else { continue }
            let body = argument.dropFirst()
            guard let end = body.firstIndex(of: quote) else { break }
            ids.append(String(body[..<end]))
            rest = body[end...]
        }
        return ids
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
