import ArgumentParser
import LuaHost

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate every plugin and experiment; list all problems as file:line: message.",
        discussion: """
            Exits 1 when any plugin has a problem. The service refuses to start in that case too.

            With --diff OLD, says what a reload from OLD to the current folders would change: files \
            with their old and new versions, circles whose rules (compared by each rule function's \
            text) or fields changed, experiments whose users would move between variants and whether \
            a reload refuses that, and the changes that move nobody. OLD is a directory holding the \
            old folders (an old checkout) or a git revision (HEAD~1, a commit) of the same folders. \
            The current folders must pass `quanzi check` and `quanzi test`; an experiment counts as \
            live when OLD's file says running. Exits 0 when a reload would be accepted, 1 when it \
            would be refused (each problem as file:line: message), 2 when OLD cannot be read or loaded.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Compare with an old checkout's folders or a git revision's.", valueName: "OLD"))
    var diff: String?

    func validate() throws {
        if let diff, diff.isEmpty || diff.hasPrefix("-") {
            throw ValidationError("--diff takes a directory or a git revision, got '\(diff)'")
        }
    }

    func run() throws {
        guard let diff else {
            let (plugins, experiments) = try options.loadScripts()
            let tests = plugins.tests.count + experiments.tests.count
            print("ok: \(plugins.circles.count) circles (\(plugins.circles.map(\.id.rawValue).joined(separator: ", "))), "
                + "\(experiments.experiments.count) experiments (\(experiments.experiments.map(\.id).joined(separator: ", "))), "
                + "\(experiments.metrics.count) metrics, \(tests) test cases")
            return
        }
        let old = try loadOld(diff)
        let new = try options.loadScripts(tested: true)
        let result = ScriptSetDiff(old: old, new: new)
        print(result.description)
        guard result.isAccepted else {
            for problem in result.problems { Console.error(problem.description) }
            Console.error("refused: a reload from \(diff) would be refused (\(result.problems.count) problem\(result.problems.count == 1 ? "" : "s"))")
            throw ExitCode(1)
        }
        print("accepted: a reload from \(diff) would go ahead")
    }

    /// OLD's plugins and experiments, loaded and validated; exits 2 when they cannot be.
    private func loadOld(_ old: String) throws -> (plugins: PluginSet, experiments: ExperimentSet) {
        let sources: (plugins: [PluginSource], experiments: [PluginSource])
        do {
            sources = try OldScripts(old).sources(plugins: options.plugins, experiments: options.experiments)
        } catch {
            Console.error("\(old): \(error)")
            throw ExitCode(2)
        }
        var problems: [PluginProblem] = []
        var plugins: PluginSet?
        var experiments: ExperimentSet?
        do throws(PluginLoadError) {
            plugins = try PluginSet.load(sources.plugins, limits: options.limits)
        } catch {
            problems += error.problems
        }
        do throws(PluginLoadError) {
            experiments = try ExperimentSet.load(sources.experiments, limits: options.limits)
        } catch {
            problems += error.problems
        }
        guard let plugins, let experiments, problems.isEmpty else {
            for problem in problems { Console.error(problem.description) }
            Console.error("\(old): the old plugins and experiments do not load (\(problems.count) problem\(problems.count == 1 ? "" : "s")); nothing to compare")
            throw ExitCode(2)
        }
        return (plugins, experiments)
    }
}
