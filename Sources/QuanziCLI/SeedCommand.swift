import ArgumentParser
import Foundation
import Service

struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Build the deterministic demo world in a new database.",
        discussion: """
            People, friendships, posts in every circle, views, likes and reports, all passing the \
            circles' Lua rules. The same --seed gives the same world. Refuses to touch a database \
            that already has users.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "How many users.")
    var users = 10_000

    @Option(help: "Random seed.")
    var seed: UInt64 = 2016

    func validate() throws {
        guard (2...1_000_000).contains(users) else { throw ValidationError("--users must be between 2 and 1000000") }
    }

    func run() async throws {
        try options.requireSQLite("seed", why: "seeding writes the demo world in bulk transactions of the embedded database")
        let service = try await options.openService()
        guard try service.users.count() == 0 else {
            Console.error("\(options.db) already has users; seed a new file with --db")
            throw ExitCode(1)
        }
        let started = Date()
        let summary = try await DemoWorld.seed(service, options: DemoWorld.Options(users: users, seed: seed))
        print("seeded \(options.db) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s: \(summary)")
    }
}
