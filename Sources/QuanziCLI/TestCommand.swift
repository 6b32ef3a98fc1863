import ArgumentParser
import Core
import LuaHost

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run every plugin's and experiment's Lua test cases.",
        discussion: """
            Each circle's `tests` table lists users trying actions and the expected decision. \
            Failures print as file:line with the rule's reason; the last line is `N passed, M failed`. \
            Exits 1 on any failure.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(name: .shortAndLong, help: "Print passing cases too.")
    var verbose = false

    func run() throws {
        let (plugins, experiments) = try options.loadScripts()
        let rules = RuleEngine(plugins: plugins, dataSource: EmptyDataSource(), limits: options.limits)
        let assignment = ExperimentEngine(experiments: experiments, dataSource: EmptyDataSource(), limits: options.limits)
        let outcomes = RuleTestRunner.run(rules) + ExperimentTestRunner.run(assignment)
        for outcome in outcomes where verbose || !outcome.passed {
            print(outcome.description)
        }
        let failed = outcomes.filter { !$0.passed }.count
        print("\(outcomes.count - failed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
