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

    @Test("ab calibrate with its options reaches the experiment lookup")
    func calibrateParses() throws {
        let run = try CheckDiffCommandTests.quanzi(
            ["ab", "calibrate", "no-such-experiment", "--users", "20", "--days", "1", "--runs", "1", "--watch-interval-minutes", "30"],
            in: ReplFixture.repository)
        #expect(!run.errors.contains("Validation failed") && !run.output.contains("Validation failed"), "\(run.errors)")
        #expect(run.status != 0 && (run.errors + run.output).contains("no experiment 'no-such-experiment'"), "\(run.errors)\(run.output)")
    }
}
