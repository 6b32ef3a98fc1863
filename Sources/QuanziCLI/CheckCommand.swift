import ArgumentParser
import LuaHost

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate every plugin; list all problems as file:line: message.",
        discussion: "Exits 1 when any plugin has a problem. The service refuses to start in that case too."
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let plugins = try options.loadPlugins()
        let tests = plugins.tests.count
        print("ok: \(plugins.circles.count) circle\(plugins.circles.count == 1 ? "" : "s") (\(plugins.circles.map(\.id.rawValue).joined(separator: ", "))), \(tests) test case\(tests == 1 ? "" : "s")")
    }
}
