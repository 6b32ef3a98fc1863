import Core
import Foundation
import GRDB
import Ledger
import Synchronization
import Testing

@_spi(LedgerStore) @testable import Service
@_spi(LedgerStore) @testable import SQLiteStorage
@_spi(LedgerStore) import StorageModel

/// What the hammer's workers share with the test.
final class HammerState: Sendable {
    let stop = Atomic<Bool>(false)
    let acknowledged = Mutex<[Int64]>([])
}

@Suite("backup and restore on SQLite")
struct BackupRestoreTests {
    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quanzi-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Transfers never stop while the backup runs: the copy is consistent (its ledger verifies)
    /// and holds every transfer acknowledged before the backup began.
    @Test("a backup taken during a transfer hammer verifies and holds every transfer acknowledged before it began")
    func backupDuringHammer() async throws {
        let fixture = try await WalletFixture(userCount: 40)
        defer { fixture.remove() }
        for user in 1...40 { try await fixture.fund(UserID(Int64(user)), 1_000_000) }
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }

        let state = HammerState()
        let hammer = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var serial = 0
                        while !state.stop.load(ordering: .relaxed) {
                            serial += 1
                            let from = UserID(Int64(1 + (worker * 5 + serial) % 40)), to = UserID(Int64(1 + (worker * 7 + serial * 3 + 1) % 40))
                            guard from != to else { continue }
                            let result = try await fixture.wallet.transfer(
                                from: from, to: to, amountFen: Int64(1 + serial % 97), idempotencyKey: "hammer-\(worker)-\(serial)")
                            if case .committed(let receipt) = result { state.acknowledged.withLock { $0.append(receipt.transferID) } }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        // Let the hammer run, then note what was acknowledged before the backup begins.
        while state.acknowledged.withLock({ $0.count }) < 300 { try await Task.sleep(for: .milliseconds(5)) }
        let before = state.acknowledged.withLock { $0 }
        let path = folder.appendingPathComponent("copy.sqlite").path
        let summary = try fixture.database.backup(to: path)
        while state.acknowledged.withLock({ $0.count }) < before.count + 300 { try await Task.sleep(for: .milliseconds(5)) }
        state.stop.store(true, ordering: .relaxed)
        try await hammer.value
        let after = state.acknowledged.withLock { $0 }

        #expect(summary.bytes > 0 && summary.migrationLevel == Migrations.migrator.migrations.last)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"), "the copy is one self-contained file")
        let copy = try QuanziDatabase(path: path)
        let now = fixture.clock.nowEpochSeconds
        let report = try await copy.read { db in try LedgerVerifier.verify(db, now: now) }
        #expect(report.isConsistent, "\(report.problems)")
        let copied = Set(try await copy.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM ledger_transfers") })
        #expect(Set(before).isSubset(of: copied), "every transfer acknowledged before the backup began is in it")
        #expect(after.count > before.count + 250 && !Set(after).isSubset(of: copied), "the hammer went on while the backup ran, and after it")
        let original = try await fixture.wallet.verify()
        #expect(original.isConsistent)
    }

    @Test("a restore replaces a stopped database with a checked backup and keeps the one it replaced")
    func restore() async throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("live.sqlite").path
        let backup = folder.appendingPathComponent("backup.sqlite").path
        do {
            let database = try QuanziDatabase(path: target)
            let wallet = WalletService.standalone(store: try SQLiteLedgerStore(database: database))
            try await SQLiteLedgerStore(database: database).insertLoadUsers([UserID(1), UserID(2)], at: 0)
            _ = try await wallet.openAccounts(for: [UserID(1), UserID(2)])
            _ = try await wallet.topUp(UserID(1), amountFen: 5_000, idempotencyKey: "a")
            _ = try database.backup(to: backup)
            #expect(throws: BackupError.self, "a backup never overwrites a file") { try database.backup(to: backup) }
            _ = try await wallet.topUp(UserID(2), amountFen: 7_000, idempotencyKey: "b")
            // Open here: the restore refuses and changes nothing.
            #expect(throws: BackupError.self) { try QuanziDatabase.restore(from: backup, to: target, now: 1) }
            #expect(try await wallet.balanceFen(of: UserID(2)) == 7_000)
        }
        let summary = try QuanziDatabase.restore(from: backup, to: target, now: 1_800_000_000)
        #expect(summary.ledger.isConsistent && summary.migrationsApplied.isEmpty)
        let restored = WalletService.standalone(store: try SQLiteLedgerStore(database: try QuanziDatabase(path: target)))
        #expect(try await restored.balanceFen(of: UserID(1)) == 5_000)
        #expect(try await restored.balanceFen(of: UserID(2)) == 0, "the top-up after the backup is not in it")
        let kept = try #require(summary.previousKeptAt)
        #expect(kept == target + ".before-restore-1800000000")
        let previous = WalletService.standalone(store: try SQLiteLedgerStore(database: try QuanziDatabase(path: kept)))
        #expect(try await previous.balanceFen(of: UserID(2)) == 7_000, "the replaced database is kept whole")
    }

    @Test("a restore refuses garbage, a backup from a newer quanzi and a ledger that does not verify, changing nothing")
    func restoreRefusals() async throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("live.sqlite").path
        let source = folder.appendingPathComponent("source.sqlite").path
        do {
            let database = try QuanziDatabase(path: source)
            try await SQLiteLedgerStore(database: database).insertLoadUsers([UserID(1)], at: 0)
            let wallet = WalletService.standalone(store: try SQLiteLedgerStore(database: database))
            _ = try await wallet.openAccounts(for: [UserID(1)])
            _ = try await wallet.topUp(UserID(1), amountFen: 5_000, idempotencyKey: "a")
            _ = try QuanziDatabase(path: target)
        }
        func copy(_ name: String, _ change: ((Database) throws -> Void)? = nil) throws -> String {
            let path = folder.appendingPathComponent(name).path
            _ = try QuanziDatabase(path: source).backup(to: path)
            if let change {
                let queue = try DatabaseQueue(path: path)
                try queue.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA foreign_keys = OFF")
                    try change(db)
                }
                try queue.close()
            }
            return path
        }
        let garbage = folder.appendingPathComponent("garbage.sqlite").path
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: garbage))
        let newer = try copy("newer.sqlite") { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        let tampered = try copy("tampered.sqlite") { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS ledger_accounts_no_direct_update")
            for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ledger_accounts'") {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            try db.execute(sql: "UPDATE ledger_accounts SET balance_fen = balance_fen + 1 WHERE id = (SELECT max(id) FROM ledger_accounts)")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: target))
        for (backup, expected) in [(garbage, "not a readable SQLite database"), (newer, "made by a newer quanzi"), (tampered, "ledger does not verify")] {
            #expect {
                try QuanziDatabase.restore(from: backup, to: target, now: 1)
            } throws: { error in
                "\(error)".contains(expected)
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == before, "\(expected): the target is untouched")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".restoring-") || $0.contains("before-restore") }
            #expect(leftovers.isEmpty, "nothing staged is left: \(leftovers)")
        }
    }
}
