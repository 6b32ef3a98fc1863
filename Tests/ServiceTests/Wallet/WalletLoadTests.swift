import Core
import GRDB
import Ledger
@_spi(LedgerStore) @testable import Service
@_spi(LedgerStore) import SQLiteStorage
@_spi(LedgerStore) import StorageModel
import Synchronization
import Testing

@Suite("Wallet load")
struct WalletLoadTests {
    @Test("a load acknowledges each durable transfer once, and a rerun with the same seed only replays")
    func acknowledgements() async throws {
        let database = try QuanziDatabase.temporary(name: "load")
        defer { try? database.removeFiles() }
        let store = try SQLiteLedgerStore(database: database)
        let wallet = WalletService.standalone(store: store)
        let options = WalletLoad.Options(transferCount: 300, userCount: 10, concurrency: 8, seed: 3)
        let acknowledged = Mutex<[Int64]>([])
        let first = try await WalletLoad.run(wallet: wallet, options: options, insertUsers: store.insertLoadUsers) { receipt in
            acknowledged.withLock { $0.append(receipt.transferID) }
        }
        let ids = acknowledged.withLock { $0 }
        #expect(first.resultCounts.values.reduce(0, +) == 300)
        #expect(ids.count == first.resultCounts["ok"] && Set(ids).count == ids.count)
        for id in ids.prefix(20) { #expect(try await wallet.receipt(ofTransfer: id) != nil) }

        let second = try await WalletLoad.run(wallet: wallet, options: options, insertUsers: store.insertLoadUsers)
        #expect(second.resultCounts["replayed"] == first.resultCounts["ok"])
        #expect(second.resultCounts["ok"] == nil)
        #expect(try await wallet.verify().isConsistent)
    }

    @Test("a load refuses to fund a user it did not create")
    func refusesRealUsers() async throws {
        let database = try QuanziDatabase.temporary(name: "load")
        defer { try? database.removeFiles() }
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO users (id, display_name, verified, gender, occupation, created_at)
                    VALUES (2, 'Li Na', 0, 'female', 'student', 0)
                    """)
        }
        let store = try SQLiteLedgerStore(database: database)
        let wallet = WalletService.standalone(store: store)
        await #expect(throws: DatabaseError.self) {
            try await WalletLoad.run(wallet: wallet, options: WalletLoad.Options(transferCount: 1, userCount: 3), insertUsers: store.insertLoadUsers)
        }
        #expect(try await wallet.balanceFen(of: UserID(2)) == nil)
    }
}
