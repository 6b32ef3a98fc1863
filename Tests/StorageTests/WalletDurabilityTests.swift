import GRDB
import Storage
import Testing

@Suite("Wallet durability")
struct WalletDurabilityTests {
    /// GRDB's pool leaves its writer at NORMAL (no fsync of the WAL at commit) whatever
    /// `prepareDatabase` said; the wallet must put FULL back before any money moves.
    @Test("the connection that commits transfers fsyncs every commit (synchronous = FULL)")
    func synchronousFull() async throws {
        let fixture = try await WalletFixture()
        defer { fixture.remove() }
        let level = try await fixture.database.pool.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        #expect(level == 2)
    }
}
