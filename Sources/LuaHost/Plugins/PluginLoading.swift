import CLuaShim
import Core
import Social

/// A circle's rules and proxy inside one particular Lua state.
struct CircleHandles {
    var rules: [CircleAction: LuaFunction]
    var proxyReference: Int32
}

extension LuaState {
    /// Loads every plugin source into this state and validates what they declare. Returns the
    /// circles and, if anything is wrong, every problem (the caller refuses the whole set).
    func loadPlugins(_ sources: [PluginSource]) -> (circles: [ValidatedCircle], problems: [PluginProblem]) {
        var circles: [ValidatedCircle] = []
        var firstDeclared: [CircleID: SourceLocation] = [:]
        let emptyHint = "declares nothing: a plugin returns quanzi.circle { id = ..., title = ..., rules = { ... } }"
        let problems = forEachDeclaration(in: sources, emptyHint: emptyHint) { declaration, source, problems in
            guard declaration.kind == .circle else {
                problems.append(
                    PluginProblem(
                        declaration.location,
                        "quanzi.\(declaration.kind.rawValue) belongs in the experiments folder, not with the circle plugins"))
                return
            }
            let (validated, found) = CircleSchema.validate(declaration, source: source)
            problems += found
            guard let validated else { return }
            if let first = firstDeclared[validated.definition.id] {
                problems.append(
                    PluginProblem(
                        declaration.location,
                        "duplicate circle id '\(validated.definition.id)' (first declared at \(first))"))
                return
            }
            firstDeclared[validated.definition.id] = declaration.location
            circles.append(validated)
        }
        return (circles.sorted { $0.definition.id < $1.definition.id }, problems)
    }

    /// Runs each source's top level and hands every declaration to `visit`, collecting problems
    /// (each file's sorted by line). A file that fails to run or declares nothing is a problem.
    func forEachDeclaration(
        in sources: [PluginSource], emptyHint: String, _ visit: (Declaration, PluginSource, inout [PluginProblem]) -> Void
    ) -> [PluginProblem] {
        var problems: [PluginProblem] = []
        for source in sources {
            let problemsBefore = problems.count
            defer { problems[problemsBefore...].sort { $0.location.line < $1.location.line } }
            let declarations: [Declaration]
            do throws(ScriptError) {
                declarations = try runPlugin(source)
            } catch {
                problems.append(PluginProblem(Self.location(of: error, in: source), error.message))
                continue
            }
            if declarations.isEmpty { problems.append(PluginProblem(SourceLocation(file: source.path, line: 1), emptyHint)) }
            for declaration in declarations { visit(declaration, source, &problems) }
        }
        return problems
    }

    /// Read-only proxies of each circle (`circle.id`, `circle.title`) for rule calls.
    func makeCircleHandles(_ circles: [ValidatedCircle]) -> [CircleID: CircleHandles] {
        var handles: [CircleID: CircleHandles] = [:]
        for circle in circles {
            var fields: [ScriptValue.Field] = [
                .init("id", .string(circle.definition.id.rawValue)), .init("title", .string(circle.definition.title)),
            ]
            fields.append(.init("report_threshold", .integer(Int64(circle.definition.moderation.reportThreshold))))
            push(.record(fields))
            arena.reset()
            handles[circle.definition.id] = CircleHandles(rules: circle.rules, proxyReference: popReference())
        }
        return handles
    }

    static func location(of error: ScriptError, in source: PluginSource) -> SourceLocation {
        if let location = error.location, let colon = location.lastIndex(of: ":"),
            let line = Int(location[location.index(after: colon)...])
        {
            var file = String(location[..<colon])
            // Lua cuts a long path to "...tail" in its messages; the file being loaded is the one meant.
            if file.hasPrefix("..."), source.path.hasSuffix(file.dropFirst(3)) { file = source.path }
            return SourceLocation(file: file, line: line)
        }
        return SourceLocation(file: source.path, line: 1)
    }
}

/// A validated set of circle plugins. Loading is all or nothing: any problem in any file and
/// the whole set is refused, with every problem listed.
public struct PluginSet: Sendable {
    public let sources: [PluginSource]
    /// Sorted by id.
    public let circles: [CircleDefinition]
    public let tests: [RuleTestCase]
    /// Each circle's rule functions' source text, from `function` to its `end` (Lua's
    /// `linedefined`…`lastlinedefined`): a reload diff compares rules by it, so a rule that only
    /// moved in its file is unchanged. Every rule is listed; a host function's text is empty.
    public let ruleTexts: [CircleID: [CircleAction: String]]

    public func circle(_ id: CircleID) -> CircleDefinition? { circles.first { $0.id == id } }

    /// Loads and validates `sources` in a scratch state.
    public static func load(_ sources: [PluginSource], limits: ScriptLimits = .default) throws(PluginLoadError) -> PluginSet {
        let state: LuaState
        do throws(ScriptError) {
            state = try LuaState(limits: limits, dataSource: EmptyDataSource(), clock: SystemClock())
        } catch {
            throw PluginLoadError(problems: [PluginProblem(SourceLocation(file: "(host)", line: 0), error.message)])
        }
        let (circles, problems) = state.loadPlugins(sources)
        if !problems.isEmpty { throw PluginLoadError(problems: problems) }
        return PluginSet(sources: sources, circles: circles.map(\.definition), tests: circles.flatMap(\.tests),
                         ruleTexts: Dictionary(uniqueKeysWithValues: circles.map { ($0.definition.id, $0.ruleTexts) }))
    }

    /// Every `*.lua` in `directory`.
    public static func load(directory: String, limits: ScriptLimits = .default) throws(PluginLoadError) -> PluginSet {
        try load(PluginSource.folder(directory), limits: limits)
    }
}
