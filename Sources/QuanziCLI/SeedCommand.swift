import ArgumentParser
import BlockingWork
import Core
import Foundation
import Service

struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Build the deterministic demo world in a new database.",
        discussion: """
            People, friendships, posts in every circle, views, likes and reports, all passing the \
            circles' Lua rules. The same --seed gives the same world, on a SQLite file or on \
            PostgreSQL (--db postgres://…, migrated first by quanzi migrate). Refuses to touch a \
            database that already has users.
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
        let service = try await options.openService()
        guard try await Blocking.awaited({ try service.users.count() }) == 0 else {
            let fresh = options.isPostgres ? "seed a new database (createdb, then quanzi migrate)" : "seed a new file"
            Console.error("\(options.dbDescription) already has users; \(fresh) with --db")
            throw ExitCode(1)
        }
        let started = Date()
        let summary = try await DemoWorld.seed(service, options: DemoWorld.Options(users: users, seed: seed))
        print("seeded \(options.dbDescription) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s: \(summary)")
    }
}
