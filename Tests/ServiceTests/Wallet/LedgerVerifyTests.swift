import Core
import GRDB
import Ledger
@_spi(LedgerStore) @testable import Service
@_spi(LedgerStore) import SQLiteStorage
@_spi(LedgerStore) import StorageModel
import Testing

@Suite("Ledger verify")
struct LedgerVerifyTests {
    /// A small ledger with every kind of movement, verified clean before each tampering.
    func busyFixture() async throws -> WalletFixture {
        let fixture = try await WalletFixture(userCount: 4)
        try await fixture.fund(UserID(1), 10_000)
        _ = try await fixture.wallet.transfer(from: UserID(1), to: UserID(2), amountFen: 1_500, idempotencyKey: "a")
        _ = try await fixture.wallet.tip(from: UserID(2), to: UserID(3), postID: 1, amountFen: 200, idempotencyKey: "b")
        let packet = try await fixture.wallet.createRedPacket(
            RedPacketRequest(
                sender: UserID(1), split: .lucky, totalFen: 900, shareCount: 3, audience: .users([UserID(2), UserID(3)]),
                idempotencyKey: "c", seed: 5))
        _ = try await fixture.wallet.claimRedPacket(try #require(packet.receipt).id, by: UserID(2))
        let report = try await fixture.wallet.verify()
        #expect(report.isConsistent, "\(report.problems)")
        return fixture
    }

    @Test("an empty ledger and a busy one are both consistent")
    func consistent() async throws {
        let empty = try await WalletFixture()
        defer { empty.remove() }
        #expect(try await empty.wallet.verify().isConsistent)
        let busy = try await busyFixture()
        defer { busy.remove() }
        let report = try await busy.wallet.verify()
        #expect(report.transferCount == 5 && report.entryCount == 10 && report.redPacketCount == 1)
        #expect(report.summary.hasPrefix("ledger consistent"))
    }

    @Test("a balance changed behind the ledger's back is found, with the broken conservation")
    func tamperedBalance() async throws {
        let fixture = try await busyFixture()
        defer { fixture.remove() }
        try await fixture.database.pool.write { db in
            try db.execute(sql: "UPDATE ledger_accounts SET balance_fen = balance_fen + 1 WHERE id = 2")
        }
        let problems = try await fixture.wallet.verify().problems
        let mismatches = problems.compactMap { problem -> (AccountID, Int64)? in
            if case .balanceMismatch(let account, let storedFen, let entriesFen) = problem {
                (account, storedFen - entriesFen)
            } else {
                nil
            }
        }
        #expect(mismatches.count == 1 && mismatches.first?.0 == .user(UserID(2)) && mismatches.first?.1 == 1)
        #expect(problems.contains(.systemNotZero(sumFen: 1)))
    }

    @Test("a transfer whose entries do not balance is found")
    func unbalancedTransfer() async throws {
        let fixture = try await busyFixture()
        defer { fixture.remove() }
        let id = try await fixture.database.pool.write { db -> Int64 in
            try db.execute(
                sql: """
                    INSERT INTO ledger_transfers (kind, debit_account_id, credit_account_id, amount_fen, initiator_id,
                      idempotency_key, request_fingerprint, created_at)
                    VALUES ('transfer', 1, 2, 10, 1, 'forged', 'forged', 0)
                    """)
            let id = db.lastInsertedRowID
            try db.execute(sql: "INSERT INTO ledger_entries (transfer_id, account_id, amount_fen) VALUES (?, 2, 10)", arguments: [id])
            try db.execute(sql: "UPDATE ledger_accounts SET balance_fen = balance_fen + 10 WHERE id = 2")
            return id
        }
        let problems = try await fixture.wallet.verify().problems
        #expect(problems.contains(.unbalancedTransfer(transferID: id, sumFen: 10)))
        #expect(problems.contains(.entriesDisagreeWithTransfer(transferID: id)))
        #expect(problems.contains(.systemNotZero(sumFen: 10)))
    }

    @Test("red packet shares that differ from their seed, and escrow that does not match them, are found")
    func tamperedShares() async throws {
        let fixture = try await busyFixture()
        defer { fixture.remove() }
        try await fixture.database.pool.write { db in
            // Only a deliberate attack gets past the schema: drop the trigger that freezes shares.
            try db.execute(sql: "DROP TRIGGER red_packet_shares_fixed")
            try db.execute(sql: "UPDATE red_packet_shares SET amount_fen = amount_fen + 1 WHERE share_index = 2")
        }
        let problems = try await fixture.wallet.verify().problems
        #expect(problems.contains { if case .escrowMismatch = $0 { true } else { false } })
        #expect(problems.contains(.redPacketInconsistent(redPacketID: 1, reason: "stored shares differ from the shares its seed draws")))
    }

    @Test("the schema itself refuses negative balances, edits of entries and a second claim")
    func schemaGuards() async throws {
        let fixture = try await busyFixture()
        defer { fixture.remove() }
        let pool = fixture.database.pool
        await #expect(throws: DatabaseError.self) {
            try await pool.write { db in try db.execute(sql: "UPDATE ledger_accounts SET balance_fen = -1 WHERE id = 3") }
        }
        await #expect(throws: DatabaseError.self) {
            try await pool.write { db in try db.execute(sql: "UPDATE ledger_entries SET amount_fen = 1 WHERE id = 1") }
        }
        await #expect(throws: DatabaseError.self) {
            try await pool.write { db in try db.execute(sql: "DELETE FROM ledger_transfers WHERE id = 1") }
        }
        await #expect(throws: DatabaseError.self) {
            try await pool.write { db in
                try db.execute(sql: "UPDATE red_packet_shares SET claimer_id = 3 WHERE red_packet_id = 1 AND share_index = 0")
            }
        }
        await #expect(throws: DatabaseError.self) {
            try await pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO ledger_transfers (kind, debit_account_id, credit_account_id, amount_fen, created_at)
                        VALUES ('redpacket_claim', -1, 2, 10, 0)
                        """)
            }
        }
        #expect(try await fixture.wallet.verify().isConsistent)
    }
}
