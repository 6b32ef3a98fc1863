import ArgumentParser

struct Quanzi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quanzi",
        abstract: "Social features for a payments app, run as measured experiments.",
        discussion: """
            Circles and their rules are Lua plugins in plugins/; the Swift core owns identity, the \
            wallet, credit and ranking. Start with `quanzi check` and `quanzi test`.
            """,
        subcommands: [CheckCommand.self, TestCommand.self, EvalCommand.self, SeedCommand.self, AbCommand.self, CreditCommand.self, ReplCommand.self, ServeCommand.self, TokenCommand.self, FeedCommand.self, LedgerCommand.self, MigrateCommand.self, BindingsCommand.self, ModerationCommand.self, BackupCommand.self, RestoreCommand.self]
    )
}
