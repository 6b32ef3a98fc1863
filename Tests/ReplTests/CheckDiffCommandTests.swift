import Foundation
import Testing

/// `quanzi check --diff OLD` run as a person runs it: the built binary (next to ReplTerminalTests',
/// which also drives it), in a scratch folder, against an old copy of the folders or a git revision.
@Suite("quanzi check --diff")
struct CheckDiffCommandTests {
    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs `executable arguments` in `directory`; waits at most `timeoutSeconds`.
    static func run(_ executable: String, _ arguments: [String], in directory: URL, timeoutSeconds: Double = 120,
                    environment: [String: String]? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.currentDirectoryURL = directory
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let outputText = ScreenBuffer()
        let errorText = ScreenBuffer()
        output.fileHandleForReading.readabilityHandler = { outputText.append($0.availableData) }
        errors.fileHandleForReading.readabilityHandler = { errorText.append($0.availableData) }
        try process.run()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
        outputText.append(output.fileHandleForReading.readDataToEndOfFile())
        errorText.append(errors.fileHandleForReading.readDataToEndOfFile())
        return Run(status: process.terminationStatus, output: outputText.text, errors: errorText.text)
    }

    static func quanzi(_ arguments: [String], in directory: URL) throws -> Run {
        try run(ReplTerminalTests.binary, arguments, in: directory)
    }

    static func git(_ arguments: [String], in directory: URL) throws {
        let result = try run("/usr/bin/env", ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"] + arguments, in: directory)
        #expect(result.status == 0, "git \(arguments): \(result.errors)")
    }

    static let circle = """
        return quanzi.circle {
          id = "diary",
          title = "Diary",
          rules = {
            comment = function(user, circle, post)
              return quanzi.credit.score(user.id) >= 750, "credit 750+ required"
            end,
          },
          tests = {
            { action = "comment", expect = true, user = { credit_score = 750 } },
          },
        }
        """

    static let experiment = """
        return quanzi.experiment {
          id = "comment-bar",
          traffic = 0.1,
          variants = {
            { name = "control", weight = 0.5, params = { min_credit = 750 } },
            { name = "treatment", weight = 0.5, params = { min_credit = 700 } },
          },
          metrics = { primary = "comments_per_user" },
        }
        """

    static let metrics = """
        return quanzi.metrics {
          { id = "comments_per_user", kind = "mean", event = "comment.created" },
        }
        """

    static let movedWeights = experiment.replacingOccurrences(of: "weight = 0.5, params = { min_credit = 750 }", with: "weight = 0.3, params = { min_credit = 750 }")
        .replacingOccurrences(of: "weight = 0.5, params = { min_credit = 700 }", with: "weight = 0.7, params = { min_credit = 700 }")

    /// A scratch folder holding `plugins/` and `experiments/` with these files.
    static func folders(circle: String = circle, experiment: String = experiment, in root: URL? = nil) throws -> URL {
        let root = root ?? FileManager.default.temporaryDirectory.appendingPathComponent("quanzi-check-diff-\(UUID().uuidString)")
        for folder in ["plugins", "experiments"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try Data(circle.utf8).write(to: root.appendingPathComponent("plugins/diary.lua"))
        try Data(experiment.utf8).write(to: root.appendingPathComponent("experiments/comment-bar.lua"))
        try Data(metrics.utf8).write(to: root.appendingPathComponent("experiments/metrics.lua"))
        return root
    }

    @Test("against an old checkout: a running experiment's weights edit is refused (exit 1), with phase = 2 accepted (exit 0)")
    func oldDirectory() throws {
        #expect(FileManager.default.isExecutableFile(atPath: ReplTerminalTests.binary), "build the quanzi binary first")
        let old = try Self.folders()
        let new = try Self.folders(circle: Self.circle.replacingOccurrences(of: ">= 750", with: ">= 700"), experiment: Self.movedWeights)
        defer { for url in [old, new] { try? FileManager.default.removeItem(at: url) } }

        let refused = try Self.quanzi(["check", "--diff", old.path], in: new)
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.output.contains("  changed  plugins/diary.lua  "), "\(refused.output)")
        #expect(refused.output.contains("  changed  diary  plugins/diary.lua:1\n    rules changed: comment\n"), "\(refused.output)")
        #expect(refused.output.contains("    moves users between variants: weights 0.5/0.5 → 0.3/0.7\n"), "\(refused.output)")
        #expect(refused.errors.hasPrefix("experiments/comment-bar.lua:1: experiment 'comment-bar' is live: this edit moves users between variants"), "\(refused.errors)")
        #expect(refused.errors.contains("declare phase = 2"))
        #expect(refused.errors.hasSuffix("refused: a reload from \(old.path) would be refused (1 problem)\n"), "\(refused.errors)")

        let withPhase = Self.movedWeights.replacingOccurrences(of: "traffic = 0.1,", with: "traffic = 0.1,\n  phase = 2,")
        try Data(withPhase.utf8).write(to: new.appendingPathComponent("experiments/comment-bar.lua"))
        let accepted = try Self.quanzi(["check", "--diff", old.path], in: new)
        #expect(accepted.status == 0, "\(accepted)")
        #expect(accepted.output.contains("(running, phase 1 → 2)"), "\(accepted.output)")
        #expect(accepted.output.hasSuffix("accepted: a reload from \(old.path) would go ahead\n"), "\(accepted.output)")
        #expect(accepted.errors.isEmpty, "\(accepted.errors)")
    }

    @Test("against a git revision: the files of HEAD for the same folders; a failing Lua test in the new set refuses (exit 1)")
    func gitRevision() throws {
        let root = try Self.folders()
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.git(["init", "--quiet"], in: root)
        try Self.git(["add", "plugins", "experiments"], in: root)
        try Self.git(["commit", "--quiet", "-m", "scripts"], in: root)
        let traffic = Self.experiment.replacingOccurrences(of: "traffic = 0.1,", with: "traffic = 0.4,")
        try Data(traffic.utf8).write(to: root.appendingPathComponent("experiments/comment-bar.lua"))

        let accepted = try Self.quanzi(["check", "--diff", "HEAD"], in: root)
        #expect(accepted.status == 0, "\(accepted)")
        #expect(accepted.output.contains("  changed  experiments/comment-bar.lua  "), "\(accepted.output)")
        #expect(accepted.output.contains("    moves nobody between variants\n    traffic 10% → 40%\n"), "\(accepted.output)")
        #expect(!accepted.output.contains("plugins/diary.lua"), "an unchanged file is not listed: \(accepted.output)")

        // Same folders from a subfolder of the repository, named by path.
        let sub = root.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let fromSub = try Self.quanzi(["check", "--diff", "HEAD", "--plugins", "../plugins", "--experiments", root.appendingPathComponent("experiments").path], in: sub)
        #expect(fromSub.status == 0 && fromSub.output.contains("traffic 10% → 40%"), "\(fromSub)")

        let failing = Self.circle.replacingOccurrences(of: ">= 750", with: ">= 800")
        try Data(failing.utf8).write(to: root.appendingPathComponent("plugins/diary.lua"))
        let refused = try Self.quanzi(["check", "--diff", "HEAD"], in: root)
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.errors.hasPrefix("plugins/diary.lua:10: test failed: "), "\(refused.errors)")
    }

    @Test("an OLD that is neither a folder nor a revision, or an old set that does not load, exits 2")
    func unreadableOld() throws {
        let root = try Self.folders()
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.git(["init", "--quiet"], in: root)
        let unknown = try Self.quanzi(["check", "--diff", "no-such-revision"], in: root)
        #expect(unknown.status == 2, "\(unknown)")
        #expect(unknown.errors == "no-such-revision: 'no-such-revision' is neither a directory nor a git revision of the repository at .\n")

        let broken = try Self.folders(experiment: "return quanzi.experiment { id = \"comment-bar\" }")
        defer { try? FileManager.default.removeItem(at: broken) }
        let unloadable = try Self.quanzi(["check", "--diff", broken.path], in: root)
        #expect(unloadable.status == 2, "\(unloadable)")
        #expect(unloadable.errors.hasPrefix("\(broken.path)/experiments/comment-bar.lua:1: "), "\(unloadable.errors)")
    }
}
