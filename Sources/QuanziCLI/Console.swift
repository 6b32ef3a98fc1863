import Foundation

/// Output for commands: results on stdout, diagnostics on stderr.
enum Console {
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// A caution about a result that still stands: "warning: …" on stderr.
    static func warning(_ line: String) {
        error("warning: " + line)
    }
}
