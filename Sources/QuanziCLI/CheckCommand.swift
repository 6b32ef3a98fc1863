import ArgumentParser
import LuaHost

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate every plugin and experiment; list all problems as file:line: message.",
        discussion: "Exits 1 when any plugin has a problem. The service refuses to start in that case too."
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let (plugins, experiments) = try options.loadScripts()
        let tests = plugins.tests.count + experiments.tests.count
        print("ok: \(plugins.circles.count) circles (\(plugins.circles.map(\.id.rawValue).joined(separator: ", "))), "
            + "\(experiments.experiments.count) experiments (\(experiments.experiments.map(\.id).joined(separator: ", "))), "
            + "\(experiments.metrics.count) metrics, \(tests) test cases")
    }
}
