import ArgumentParser
import Foundation
import PostgresStorage
import SQLiteStorage

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database consistently while the service keeps serving.",
        discussion: """
            SQLite's online backup: the copy is one snapshot, holding every transaction committed \
            before it began (every acknowledged transfer) and nothing half-written, whatever commits \
            meanwhile. It is written beside FILE and renamed into place, so FILE is never partial; an \
            existing FILE is not overwritten. For PostgreSQL use pg_dump (the README's "Operating \
            Quanzi" shows the commands).
            """)

    @Option(name: .long, help: "The SQLite database to copy.") var db = QuanziDatabase.defaultPath
    @Option(name: .long, help: "The backup file to write (must not exist).") var to: String

    func run() throws {
        guard !PostgresURL.isPostgres(db) else {
            Console.error("quanzi backup copies SQLite databases; for PostgreSQL run: pg_dump --format=custom --file=\(to) '\(PostgresURL.redacted(db))'")
            throw ExitCode(2)
        }
        guard FileManager.default.fileExists(atPath: db) else {
            Console.error("\(db): no such database")
            throw ExitCode(1)
        }
        do {
            let database = try QuanziDatabase(path: db)
            let summary = try database.backup(to: to)
            print(String(format: "wrote %@: %lld bytes at migration %@ in %.2f s", summary.path, summary.bytes, summary.migrationLevel ?? "(none)", summary.seconds))
        } catch let error as BackupError {
            Console.error("\(error)")
            throw ExitCode(1)
        }
    }
}

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup in place of a stopped database, after checking it.",
        discussion: """
            Refuses while any process has the database open (stop `quanzi serve` first). Before \
            anything is replaced the backup must pass SQLite's integrity check, carry this quanzi's \
            migrations in order (an older backup is migrated; a newer one is refused) and verify as a \
            ledger (`ledger verify`). The replaced database is kept beside it as \
            DB.before-restore-<time> unless --discard-previous.
            """)

    @Option(name: .long, help: "The backup file (from `quanzi backup`).") var from: String
    @Option(name: .long, help: "The SQLite database to replace.") var db = QuanziDatabase.defaultPath
    @Flag(help: "Delete the replaced database instead of keeping it beside the restored one.") var discardPrevious = false

    func run() throws {
        guard !PostgresURL.isPostgres(db) else {
            Console.error("quanzi restore replaces SQLite databases; for PostgreSQL use pg_restore (see the README's \"Operating Quanzi\")")
            throw ExitCode(2)
        }
        do {
            let summary = try QuanziDatabase.restore(
                from: from, to: db, now: Int64(Date().timeIntervalSince1970), keepPrevious: !discardPrevious)
            print("restored \(from) into \(db) (backup at migration \(summary.backupMigrationLevel ?? "(none)")"
                + (summary.migrationsApplied.isEmpty ? ")" : "; applied \(summary.migrationsApplied.joined(separator: ", ")))"))
            print(summary.ledger.summary)
            if let kept = summary.previousKeptAt { print("the replaced database is kept at \(kept)") }
        } catch let error as BackupError {
            Console.error("\(error)")
            throw ExitCode(1)
        }
    }
}
