import GRDB
@_spi(LedgerStore) @testable import Service
@_spi(LedgerStore) @testable import SQLiteStorage
@_spi(LedgerStore) import StorageModel
import Testing

@Suite("Wallet durability")
struct WalletDurabilityTests {
    /// GRDB's pool leaves its writer at NORMAL (no fsync of the WAL at commit) whatever
    /// `prepareDatabase` said; QuanziDatabase must put FULL back before any money moves.
    @Test("the connection that commits transfers fsyncs every commit (synchronous = FULL)")
    func synchronousFull() async throws {
        let fixture = try await WalletFixture()
        defer { fixture.remove() }
        let level = try await fixture.database.pool.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        #expect(level == 2)
    }

    @Test("the wallet refuses a database whose writer does not fsync its commits")
    func refusesNormal() async throws {
        let fixture = try await WalletFixture()
        defer { fixture.remove() }
        try await fixture.database.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        #expect(throws: WalletNotDurable(synchronous: 1)) { try SQLiteLedgerStore(database: fixture.database) }
    }
}
