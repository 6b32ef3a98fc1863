import ArgumentParser
import Logging
import PostgresNIO
import PostgresStorage
import SQLiteStorage

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the database's pending schema migrations and name each one applied.",
        discussion: """
            --db takes a SQLite file (the default; GRDB migrations, which every other command \
            also applies when it opens the file) or a postgres://user@host[:port]/database URL. \
            On PostgreSQL nothing else migrates: run this before the first `quanzi serve` and \
            after every upgrade. Nodes migrating at once take turns on an advisory lock, and each \
            migration is one transaction, so a failed one leaves nothing behind. Prints one line \
            per migration applied, then a summary; applying nothing is not an error.
            """)

    @Option(name: .long, help: "The SQLite file, or a postgres:// URL.") var db = QuanziDatabase.defaultPath

    func validate() throws {
        if PostgresURL.isPostgres(db) {
            do { _ = try PostgresURL.configuration(db) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() async throws {
        let applied: [String]
        do {
            applied = PostgresURL.isPostgres(db) ? try await migratePostgres() : try QuanziDatabase(path: db).migrationsApplied
        } catch {
            Console.error("\(db): cannot migrate: \(error)")
            throw ExitCode(1)
        }
        for name in applied { print("applied \(name)") }
        print(applied.isEmpty ? "\(db): schema is current" : "\(db): \(applied.count) migration\(applied.count == 1 ? "" : "s") applied")
    }

    private func migratePostgres() async throws -> [String] {
        var logger = Logger(label: "quanzi.migrate")
        logger.logLevel = .error
        let client = PostgresClient(configuration: try PostgresURL.configuration(db, connectionsMax: 1), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: [String]?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await PostgresMigrations.migrate(client, logger: logger)
        }
    }
}
