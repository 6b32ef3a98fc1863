import Foundation
import Testing

@testable import Repl

@Suite("REPL on a real terminal")
struct ReplTerminalTests {
    /// The `quanzi` binary next to the test bundle (built by `swift build --build-tests`).
    static var binary: String {
        ReplFixture.repository.appendingPathComponent(".build/debug/quanzi").path
    }

    @Test("typing in a pseudo-terminal: tab completes quanzi.credit.score and the answer prints")
    func tabCompletion() throws {
        let repl = try ReplFixture()
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "build the quanzi binary first")
        let history = FileManager.default.temporaryDirectory.appendingPathComponent("quanzi-history-\(UUID().uuidString)").path
        let command = [Self.binary, "repl", "--db", repl.database.path, "--plugins", ReplFixture.repository.appendingPathComponent("plugins").path,
                       "--experiments", ReplFixture.repository.appendingPathComponent("experiments").path, "--history", history]
            .map { "'\($0)'" }.joined(separator: " ")
        // util-linux `script` runs the command on a new pseudo-terminal and copies our input to it.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qfec", command, "/dev/null"]
        process.environment = ["TERM": "dumb", "NO_COLOR": "1", "HOME": FileManager.default.temporaryDirectory.path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        let screenSoFar = ScreenBuffer()
        output.fileHandleForReading.readabilityHandler = { handle in screenSoFar.append(handle.availableData) }
        try process.run()
        // Type only once the prompt is on the screen, as a person would.
        #expect(screenSoFar.wait(for: "quanzi> ", count: 1), "the prompt appears")
        input.fileHandleForWriting.write(Data("quanzi.credit.sco\t(7)\n".utf8))
        #expect(screenSoFar.wait(for: "quanzi> ", count: 2), "the answer and a new prompt appear")
        input.fileHandleForWriting.write(Data(":quit\n".utf8))
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
        output.fileHandleForReading.readabilityHandler = nil
        let screen = screenSoFar.text
        #expect(screen.contains("quanzi.credit.score(7)"), "\(screen)")
        let score = try #require(try repl.session.service.credit.score(.init(7)))
        #expect(screen.contains("\n\(score)") || screen.contains("\r\(score)"), "\(screen)")
        #expect(FileManager.default.fileExists(atPath: history), "history is saved")
    }
}

/// What the terminal showed so far, filled from a background reader.
final class ScreenBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ more: Data) {
        lock.lock()
        data.append(more)
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    /// Waits (up to 30 s) until `marker` has appeared `count` times.
    func wait(for marker: String, count: Int) -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if text.components(separatedBy: marker).count - 1 >= count { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}

@Suite("REPL without a terminal")
struct ReplScriptTests {
    @Test("a script on stdin prints the same answers, without prompts or colours")
    func pipedScript() throws {
        let repl = try ReplFixture()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ReplTerminalTests.binary)
        process.arguments = ["repl", "--db", repl.database.path, "--plugins", ReplFixture.repository.appendingPathComponent("plugins").path,
                             "--experiments", ReplFixture.repository.appendingPathComponent("experiments").path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data("""
            :why campus-diary post 42
            x = 6
            x * 7
            while true do end
            :as 7
            user.occupation

            """.utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let expected = repl.session.handle(":why campus-diary post 42") + "\n42\nrepl:1: instruction limit exceeded\n"
            + "now acting as user 7 · user7 · female student · verified · Hangzhou; `user` is set\nstudent\n"
        #expect(text == expected)
        #expect(!text.contains("quanzi>") && !text.contains("\u{1B}["))
        #expect(process.terminationStatus == 0)
    }
}
