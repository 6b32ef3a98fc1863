import ArgumentParser
import BlockingWork
import Core
import Foundation
import Service
import Repl

struct ReplCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Try rules, variants and scripts interactively against a database.",
        discussion: """
            Lua runs in the plugin sandbox with the quanzi.* bindings. Commands: :why CIRCLE ACTION USER, \
            :as USER, :variant EXP USER, :feed USER [CIRCLE] [--explain], :credit USER, :wallet USER, :load FILE, :reload, :help, :quit. \
            With stdin from a pipe or a file it prints answers without prompts: \
            echo ':why campus-diary comment 42' | quanzi repl
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "History file (default ~/.quanzi_history).")
    var history: String?

    func run() async throws {
        let service = try await options.openService()
        try await Blocking.awaited { try self.run(service) }
    }

    /// On a thread that may block (the stores are synchronous).
    func run(_ service: QuanziService) throws {
        let session = try ReplSession(service: service, sources: .init(plugins: options.plugins, experiments: options.experiments, limits: options.limits))
        let historyPath = history ?? (NSHomeDirectory() as NSString).appendingPathComponent(".quanzi_history")
        ReplTerminal.run(session, historyPath: historyPath)
    }
}
