import Core
import Experiments
import Social

extension LuaState {
    /// Loads every experiment file into this state and validates each declaration and the set as
    /// a whole (unknown metrics, duplicate ids, overlapping layer slices).
    func loadExperiments(_ sources: [PluginSource]) -> (experiments: [ValidatedExperiment], metrics: [MetricDefinition], problems: [PluginProblem]) {
        var experiments: [ValidatedExperiment] = []
        var metrics: [MetricDefinition] = []
        var metricLocations: [String: SourceLocation] = [:]
        var experimentLocations: [String: SourceLocation] = [:]
        let emptyHint = "declares nothing: an experiment file returns quanzi.experiment { ... } or quanzi.metrics { ... }"
        var problems = forEachDeclaration(in: sources, emptyHint: emptyHint) { declaration, source, problems in
            switch declaration.kind {
            case .circle:
                problems.append(PluginProblem(declaration.location, "quanzi.circle belongs in the plugins folder, not with the experiments"))
            case .metrics:
                let (found, metricProblems) = MetricsSchema.validate(declaration, source: source)
                problems += metricProblems
                for metric in found {
                    if let first = metricLocations[metric.id] {
                        problems.append(PluginProblem(declaration.location, "duplicate metric id '\(metric.id)' (first declared at \(first))"))
                        continue
                    }
                    metricLocations[metric.id] = declaration.location
                    metrics.append(metric)
                }
            case .experiment:
                let (validated, experimentProblems) = ExperimentSchema.validate(declaration, source: source)
                problems += experimentProblems
                guard let validated else { return }
                if let first = experimentLocations[validated.spec.id] {
                    problems.append(PluginProblem(declaration.location, "duplicate experiment id '\(validated.spec.id)' (first declared at \(first))"))
                    return
                }
                experimentLocations[validated.spec.id] = declaration.location
                experiments.append(validated)
            }
        }
        problems += Self.crossCheck(experiments.map(\.spec), metricIDs: Set(metrics.map(\.id)), sources: sources)
        problems += probeSegments(experiments)
        return (experiments.sorted { $0.spec.id < $1.spec.id }, metrics.sorted { $0.id < $1.id }, problems)
    }

    /// Runs each segment function for the experiment's test users and two probes (a verified
    /// student with every attribute, a new user with none), so `quanzi check` and a reload
    /// refuse a segment that returns a table or fails on a missing attribute, with its
    /// file:line, before any report needs it.
    func probeSegments(_ experiments: [ValidatedExperiment]) -> [PluginProblem] {
        let now = clock.nowEpochSeconds
        let probes = [
            UserProfile(id: UserID(1), displayName: "probe", verified: true, verifiedAtEpochSeconds: now - 86_400, gender: .female,
                        birthYear: 2004, occupation: .student, school: "Probe University", city: "Hangzhou", createdAtEpochSeconds: now - 400 * 86_400),
            UserProfile(id: UserID(2), displayName: "new", createdAtEpochSeconds: now),
        ]
        var problems: [PluginProblem] = []
        for experiment in experiments where !experiment.segments.isEmpty {
            let users = experiment.tests.map { ($0.user, "the test at line \($0.location.line)") }
                + zip(probes, ["a probe user with every attribute", "a probe user with no optional attribute"]).map { ($0, $1) }
            for (segment, function) in zip(experiment.spec.segments, experiment.segments) {
                let location = SourceLocation(file: experiment.spec.file, line: segment.line)
                for (user, who) in users {
                    do throws(ScriptError) {
                        _ = try segmentValue(function, segment: segment.name, user: user, at: now)
                    } catch {
                        // A wrong result is located at the function itself, already this problem's line.
                        let detail = error.location == location.description ? error.message : error.description
                        problems.append(PluginProblem(location, "segment '\(segment.name)' failed for \(who): \(detail)"))
                        break
                    }
                }
            }
        }
        return problems
    }

    static func crossCheck(_ specs: [ExperimentSpec], metricIDs: Set<String>, sources: [PluginSource]) -> [PluginProblem] {
        var problems: [PluginProblem] = []
        for spec in specs {
            let source = sources.first { $0.path == spec.file } ?? PluginSource(path: spec.file, code: "")
            var reader = SchemaReader(source: source, declarationLine: spec.line)
            for metric in spec.allMetrics where !metricIDs.contains(metric) {
                let known = metricIDs.sorted()
                let hint = SchemaReader.closest(to: metric, in: known).map { " (did you mean '\($0)'?)" } ?? " (declare it in metrics.lua)"
                reader.report([.key("metrics")], "experiment '\(spec.id)' uses unknown metric '\(metric)'\(hint)")
            }
            problems += reader.problems
        }
        let running = specs.filter { $0.status == .running && $0.layer != nil }
        for (index, first) in running.enumerated() {
            for second in running[(index + 1)...] where first.layer?.name == second.layer?.name {
                guard let a = first.layer?.range, let b = second.layer?.range, a.start < b.end, b.start < a.end else { continue }
                problems.append(PluginProblem(
                    SourceLocation(file: second.file, line: second.line),
                    "experiments '\(first.id)' and '\(second.id)' overlap in layer '\(first.layer?.name ?? "")': give them disjoint layer ranges"))
            }
        }
        return problems
    }
}

/// The validated experiments and metrics. Loading is all or nothing, like plugins.
public struct ExperimentSet: Sendable {
    public let sources: [PluginSource]
    public let experiments: [ExperimentSpec]
    public let metrics: [MetricDefinition]
    public let tests: [ExperimentTestCase]
    /// Each experiment's `targeting` function's source text, from `function` to its `end`: a
    /// reload diff compares targeting by it.
    public let targetingTexts: [String: String]

    init(sources: [PluginSource], experiments: [ExperimentSpec], metrics: [MetricDefinition], tests: [ExperimentTestCase],
         targetingTexts: [String: String] = [:]) {
        self.sources = sources
        self.experiments = experiments
        self.metrics = metrics
        self.tests = tests
        self.targetingTexts = targetingTexts
    }

    public static let empty = ExperimentSet(sources: [], experiments: [], metrics: [], tests: [])

    public func experiment(_ id: String) -> ExperimentSpec? { experiments.first { $0.id == id } }

    /// The same set with experiment `id`'s spec changed by `change` (its id and Lua functions
    /// stay): tests and the simulator adjust a loaded experiment without rewriting its file.
    public func adjusting(_ id: String, _ change: (inout ExperimentSpec) -> Void) -> ExperimentSet {
        ExperimentSet(sources: sources, experiments: experiments.map { spec in
            guard spec.id == id else { return spec }
            var adjusted = spec
            change(&adjusted)
            adjusted.id = spec.id
            return adjusted
        }, metrics: metrics, tests: tests, targetingTexts: targetingTexts)
    }
    public func metric(_ id: String) -> MetricDefinition? { metrics.first { $0.id == id } }

    public static func load(_ sources: [PluginSource], limits: ScriptLimits = .default) throws(PluginLoadError) -> ExperimentSet {
        let state: LuaState
        do throws(ScriptError) {
            state = try LuaState(limits: limits, dataSource: EmptyDataSource(), clock: SystemClock())
        } catch {
            throw PluginLoadError(problems: [PluginProblem(SourceLocation(file: "(host)", line: 0), error.message)])
        }
        let (experiments, metrics, problems) = state.loadExperiments(sources)
        if !problems.isEmpty { throw PluginLoadError(problems: problems) }
        return ExperimentSet(sources: sources, experiments: experiments.map(\.spec), metrics: metrics, tests: experiments.flatMap(\.tests),
                             targetingTexts: Dictionary(uniqueKeysWithValues: experiments.compactMap { experiment in
                                 experiment.targetingText.map { (experiment.spec.id, $0) }
                             }))
    }

    /// Every experiment file (`*.lua`) in `directory`; behaviour models are not experiments.
    public static func load(directory: String, limits: ScriptLimits = .default) throws(PluginLoadError) -> ExperimentSet {
        try load(PluginSource.folder(directory).filter(isExperimentFile), limits: limits)
    }

    /// Whether a file of the experiments folder declares experiments or metrics: the simulator's
    /// behaviour model (`behaviour.lua`) lives beside them but is not one.
    public static func isExperimentFile(_ source: PluginSource) -> Bool { source.fileName != "behaviour.lua" }
}
