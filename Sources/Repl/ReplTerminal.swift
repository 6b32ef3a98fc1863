import CEditLine
import Foundation

/// The REPL on a terminal: libedit for line editing, persistent history and tab completion.
/// Without a terminal (a pipe or a file on stdin) it reads plain lines and prints answers
/// without prompts or colours, so scripts and CI get the same answers.
public enum ReplTerminal {
    /// Lines kept in the history file.
    static let historyLinesMax: Int32 = 1_000

    public static func run(_ session: ReplSession, historyPath: String) {
        if isatty(STDIN_FILENO) != 0 {
            interactive(session, historyPath: historyPath)
        } else {
            while !session.wantsToQuit, let line = readLine(strippingNewline: true) {
                let answer = session.handle(line)
                if !answer.isEmpty { print(answer) }
            }
        }
    }

    static func interactive(_ session: ReplSession, historyPath: String) {
        // Ctrl-C would kill the process; scripts are bounded by their limits anyway, and
        // Ctrl-D or :quit leave.
        signal(SIGINT, SIG_IGN)
        print("Quanzi REPL — Lua with the quanzi.* bindings. :help for commands, Ctrl-D to leave.")
        Completion.words = session.completionWords
        qz_editline_set_completion { text, _, _ in
            rl_completion_matches(text) { text, state in Completion.next(text.map { String(cString: $0) } ?? "", state: state) }
        }
        qz_editline_no_append_character()
        using_history()
        _ = read_history(historyPath)
        stifle_history(historyLinesMax)
        defer { _ = write_history(historyPath) }
        let useColour = ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        while !session.wantsToQuit {
            guard let raw = readline(session.prompt) else {
                print("")
                break
            }
            let line = String(cString: raw)
            free(raw)
            if !line.trimmingCharacters(in: .whitespaces).isEmpty { add_history(line) }
            let answer = session.handle(line)
            guard !answer.isEmpty else { continue }
            print(useColour && looksLikeError(answer) ? "\u{1B}[31m\(answer)\u{1B}[0m" : answer)
            Completion.words = session.completionWords
        }
    }

    static func looksLikeError(_ text: String) -> Bool {
        text.hasPrefix("error:") || text.hasPrefix("usage:") || text.contains(": instruction limit exceeded")
            || text.contains(": memory limit exceeded") || text.range(of: #"^[^\s]+:\d+: "#, options: .regularExpression) != nil
    }

    /// Completion state for libedit's generator callback, which gets no context pointer.
    enum Completion {
        nonisolated(unsafe) static var words: [String] = []
        nonisolated(unsafe) static var matches: [String] = []

        static func next(_ prefix: String, state: Int32) -> UnsafeMutablePointer<CChar>? {
            if state == 0 { matches = words.filter { $0.hasPrefix(prefix) }.sorted() }
            let index = Int(state)
            guard index < matches.count else { return nil }
            return strdup(matches[index])
        }
    }
}
