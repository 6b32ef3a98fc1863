import Foundation
import Testing

/// Every command of the built binary parses: `--help` of each subcommand (two levels, read from
/// the help itself) exits 0, and a command given real options reaches its own work. Two options
/// of one name (`ab calibrate` had its own `--watch-interval-minutes` beside the simulation
/// flags') fail only when the command runs, so nothing else caught it.
@Suite("the command line parses")
struct CommandLineParsingTests {
    static func subcommands(_ path: [String], in directory: URL) throws -> [String] {
        let help = try CheckDiffCommandTests.quanzi(path + ["--help"], in: directory)
        #expect(help.status == 0, "quanzi \(path.joined(separator: " ")) --help: \(help.errors)")
        guard let start = help.output.range(of: "SUBCOMMANDS:") else { return [] }
        return help.output[start.upperBound...].split(separator: "\n").compactMap { line in
            // Entries are indented by two spaces; wrapped descriptions by more.
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first,
                name.allSatisfy({ $0.isLowercase || $0 == "-" }), !line.hasPrefix("  See ")
            else { return nil }
            return String(name)
        }
    }

    @Test("every subcommand's help parses and shows its usage")
    func everyHelp() throws {
        let directory = ReplFixture.repository
        let top = try Self.subcommands([], in: directory)
        #expect(top.contains("ab") && top.contains("serve") && top.count >= 10, "\(top)")
        var checked = 0
        for command in top {
            for sub in try Self.subcommands([command], in: directory) {
                let help = try CheckDiffCommandTests.quanzi([command, sub, "--help"], in: directory)
                #expect(help.status == 0 && help.output.contains("USAGE:"), "quanzi \(command) \(sub) --help: \(help.errors)")
                checked += 1
            }
        }
        #expect(checked >= 8, "ab alone has eight subcommands")
    }

    @Test("settings come from flags, then QUANZI_* variables, then the config file, then defaults; --print-config says which and masks secrets")
    func settingsPrecedence() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quanzi-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("quanzi.json")
        try Data(#"{"port": 9191, "api_rate": 7.5, "money_rate": 3, "db": "postgres://quanzi:s3cret@127.0.0.1:54329/quanzi"}"#.utf8).write(to: file)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("QUANZI_") }
        environment["QUANZI_PORT"] = "9292"
        environment["QUANZI_MONEY_RATE"] = "4"
        environment["QUANZI_NOTIFY_URL"] = "https://hooks.example.com/services/T0/secret-token?k=v"
        environment["QUANZI_CONFIG"] = file.path
        let run = try CheckDiffCommandTests.run(
            ReplTerminalTests.binary, ["serve", "--money-rate", "5", "--memory-limit-mib", "32", "--print-config"], in: ReplFixture.repository,
            environment: environment)
        #expect(run.status == 0, "\(run.errors)")
        let lines = Set(run.output.split(separator: "\n").map(String.init))
        for expected in [
            "money_rate = 5.0  (command line)", "memory_limit_mib = 32  (command line)", "port = 9292  (environment QUANZI_PORT)",
            "api_rate = 7.5  (file \(file.path))", "host = 127.0.0.1  (default)",
            "db = postgres://quanzi:***@127.0.0.1:54329/quanzi  (file \(file.path))",
            "notify_url = https://hooks.example.com/… (path and query hidden)  (environment QUANZI_NOTIFY_URL)",
        ] {
            #expect(lines.contains(expected), "missing '\(expected)' in:\n\(run.output)")
        }
        #expect(!run.output.contains("s3cret") && !run.output.contains("secret-token"), "secrets are masked")

        environment["QUANZI_PORT"] = "eighty"
        let unreadable = try CheckDiffCommandTests.run(ReplTerminalTests.binary, ["serve", "--print-config"], in: ReplFixture.repository, environment: environment)
        #expect(unreadable.status != 0 && unreadable.errors.contains("setting port"), "\(unreadable.errors)")
        environment["QUANZI_PORT"] = "70000"
        let outOfRange = try CheckDiffCommandTests.run(ReplTerminalTests.binary, ["serve", "--print-config"], in: ReplFixture.repository, environment: environment)
        #expect(outOfRange.status != 0 && outOfRange.errors.contains("--port must be between 0 and 65535"), "\(outOfRange.errors)")
        environment["QUANZI_PORT"] = nil
        environment["QUANZI_CONFIG"] = folder.appendingPathComponent("missing.json").path
        let missing = try CheckDiffCommandTests.run(ReplTerminalTests.binary, ["serve", "--print-config"], in: ReplFixture.repository, environment: environment)
        #expect(missing.status != 0 && missing.errors.contains("does not exist"), "\(missing.errors)")
    }

    @Test("ab calibrate with its options reaches the experiment lookup")
    func calibrateParses() throws {
        let run = try CheckDiffCommandTests.quanzi(
            ["ab", "calibrate", "no-such-experiment", "--users", "20", "--days", "1", "--runs", "1", "--watch-interval-minutes", "30"],
            in: ReplFixture.repository)
        #expect(!run.errors.contains("Validation failed") && !run.output.contains("Validation failed"), "\(run.errors)")
        #expect(run.status != 0 && (run.errors + run.output).contains("no experiment 'no-such-experiment'"), "\(run.errors)\(run.output)")
    }
}
