import Foundation
import GRDB
import Ledger
import StorageModel

#if canImport(Glibc)
    import Glibc
#endif

/// What a backup wrote.
public struct BackupSummary: Sendable, Hashable {
    public var path: String
    public var bytes: Int64
    /// The last migration the copy has (this binary's level at the time).
    public var migrationLevel: String?
    public var seconds: Double
}

/// What a restore found in the backup and did.
public struct RestoreSummary: Sendable, Hashable {
    /// The migration the backup was at, and those applied to it on the way in.
    public var backupMigrationLevel: String?
    public var migrationsApplied: [String]
    /// The ledger check of the restored data (`ledger verify`).
    public var ledger: LedgerReport
    /// Where the database that was replaced was kept, if there was one.
    public var previousKeptAt: String?
}

/// Why a backup or a restore refused; nothing was changed.
public struct BackupError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension QuanziDatabase {
    /// A consistent copy of the database at `destination`, made while the service serves:
    /// SQLite's online backup (through GRDB) in one step inside one read transaction, so the
    /// copy is the snapshot the transaction began with: every transaction committed before it
    /// (every acknowledged transfer) and nothing half-written, whatever is committed meanwhile.
    /// Written to a temporary file beside `destination`, fsynced, then renamed into place, so
    /// `destination` is never a partial copy. Refuses to overwrite an existing file.
    public func backup(to destination: String) throws -> BackupSummary {
        let started = Date()
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw BackupError("\(destination) exists: give a new file (a backup never overwrites one)")
        }
        let directory = (destination as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let partial = destination + ".partial-\(UUID().uuidString.prefix(8))"
        do {
            let copy = try DatabaseQueue(path: partial)
            try pool.backup(to: copy)
            // The copy is a self-contained file: no WAL beside it.
            try copy.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") }
            try copy.close()
            try Self.fsyncFile(partial)
            try FileManager.default.moveItem(atPath: partial, toPath: destination)
            try Self.fsyncDirectory(of: destination)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        let level = try Self.migrationLevel(ofFile: destination)
        let bytes = (try FileManager.default.attributesOfItem(atPath: destination)[.size] as? NSNumber)?.int64Value ?? 0
        return BackupSummary(path: destination, bytes: bytes, migrationLevel: level, seconds: Date().timeIntervalSince(started))
    }

    /// Puts the backup at `backup` in place of the database at `target`, which no process may
    /// have open (`quanzi serve` and every other command hold a shared lock on it while they
    /// do). Checked before anything is replaced:
    /// - the backup is an SQLite file that passes `PRAGMA integrity_check`;
    /// - its migrations are this binary's, in order (a backup from a newer quanzi is refused;
    ///   an older one is migrated);
    /// - its ledger verifies (`ledger verify`), as of `now`.
    /// The checked copy is then renamed over `target` (its WAL files removed first); the old
    /// database is kept beside it as `target.before-restore-<time>` unless `keepPrevious` is false.
    public static func restore(from backup: String, to target: String, now: Int64, keepPrevious: Bool = true) throws -> RestoreSummary {
        guard FileManager.default.fileExists(atPath: backup) else { throw BackupError("\(backup): no such file") }
        try checkIntegrity(backup)
        let level = try migrationLevel(ofFile: backup)
        let known = Migrations.migrator.migrations
        let applied = try appliedMigrations(ofFile: backup)
        if let unknown = applied.first(where: { !known.contains($0) }) {
            throw BackupError("\(backup) was made by a newer quanzi: it has migration '\(unknown)', which this one does not know")
        }
        guard Array(known.prefix(applied.count)) == applied else {
            throw BackupError("\(backup)'s migrations are not this quanzi's in order: \(applied.joined(separator: ", "))")
        }
        // The target must be free: hold its exclusive lock from the check to the rename.
        let lock = try TargetLock(target)
        defer { lock.release() }
        let directory = (target as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let staged = target + ".restoring-\(UUID().uuidString.prefix(8))"
        do {
            try FileManager.default.copyItem(atPath: backup, toPath: staged)
            let migrated: [String]
            let report: LedgerReport
            do {
                let database = try QuanziDatabase(path: staged)
                migrated = database.migrationsApplied
                report = try database.read { db in try LedgerVerifier.verify(db, now: now) }
                try database.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
                try database.pool.close()
            }
            guard report.isConsistent else {
                throw BackupError("\(backup)'s ledger does not verify: \(report.problems.prefix(3).map(\.description).joined(separator: "; "))")
            }
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: staged + suffix) }
            try fsyncFile(staged)
            var keptAt: String?
            if FileManager.default.fileExists(atPath: target) {
                if keepPrevious {
                    let kept = target + ".before-restore-\(now)"
                    try FileManager.default.moveItem(atPath: target, toPath: kept)
                    keptAt = kept
                }
                for suffix in ["-wal", "-shm"] {
                    let file = target + suffix
                    guard FileManager.default.fileExists(atPath: file) else { continue }
                    if let keptAt { try FileManager.default.moveItem(atPath: file, toPath: keptAt + suffix) } else { try FileManager.default.removeItem(atPath: file) }
                }
            }
            if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
            try FileManager.default.moveItem(atPath: staged, toPath: target)
            try fsyncDirectory(of: target)
            return RestoreSummary(backupMigrationLevel: level, migrationsApplied: migrated, ledger: report, previousKeptAt: keptAt)
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: staged + suffix) }
            throw error
        }
    }

    /// `PRAGMA integrity_check` on a file opened read-only.
    static func checkIntegrity(_ path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        let result: [String]
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            result = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            try queue.close()
        } catch {
            throw BackupError("\(path) is not a readable SQLite database: \(error)")
        }
        guard result == ["ok"] else { throw BackupError("\(path) fails SQLite's integrity check: \(result.prefix(3).joined(separator: "; "))") }
    }

    static func appliedMigrations(ofFile path: String) throws -> [String] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            guard try db.tableExists("grdb_migrations") else { return [] }
            let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
            // In this binary's order, then any it does not know.
            let known = Migrations.migrator.migrations
            return known.filter(applied.contains) + applied.subtracting(known).sorted()
        }
    }

    static func migrationLevel(ofFile path: String) throws -> String? { try appliedMigrations(ofFile: path).last }

    static func fsyncFile(_ path: String) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.synchronize()
    }

    /// Makes a rename in the directory durable.
    static func fsyncDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let descriptor = open(directory, O_RDONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        _ = fsync(descriptor)
    }
}

/// Every open of a database file holds a shared `flock` on it for as long as the handle lives;
/// a restore takes it exclusively, and refuses while anyone holds it. (SQLite's own locks are
/// POSIX record locks, which flock does not touch, and in WAL mode they do not tell an idle
/// server from no server.) Written by hand: no library offers a file lock on Linux here.
final class DatabaseFileLock: Sendable {
    let descriptor: Int32

    /// A shared lock on `path`; fails at once while a restore holds it.
    init(shared path: String) throws {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw BackupError("cannot open \(path) to lock it") }
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else {
            close(descriptor)
            throw BackupError("\(path) is being restored: try again when `quanzi restore` is done")
        }
    }

    deinit { close(descriptor) }
}

/// The exclusive lock a restore holds on its target (nothing to hold when there is no target yet).
struct TargetLock {
    let descriptor: Int32?

    init(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            descriptor = nil
            return
        }
        let opened = open(path, O_RDONLY | O_CLOEXEC)
        guard opened >= 0 else { throw BackupError("cannot open \(path) to lock it") }
        guard flock(opened, LOCK_EX | LOCK_NB) == 0 else {
            close(opened)
            throw BackupError("\(path) is open in another process (a running `quanzi serve`?): stop it before restoring")
        }
        descriptor = opened
    }

    func release() {
        guard let descriptor else { return }
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
