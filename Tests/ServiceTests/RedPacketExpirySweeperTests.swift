import Core
import Ledger
@_spi(LedgerStore) import Service
import Synchronization
import Testing

@_spi(LedgerStore) @testable import SQLiteStorage

@Suite("the red-packet expiry sweeper")
struct RedPacketExpirySweeperTests {
    /// A wallet whose sweeps refund at most `batchMax` packets per transaction, with `packetCount`
    /// expired packets of 10 fen from user 1, none claimed.
    func expiredPackets(_ packetCount: Int, batchMax: Int) async throws -> (WalletService, QuanziDatabase) {
        let database = try QuanziDatabase.temporary(name: "sweeper")
        let clock = ManualClock(epochSeconds: ServiceFixture.start)
        let store = try SQLiteLedgerStore(database: database)
        let wallet = WalletService.standalone(store: store, clock: clock, limits: LedgerLimits(expirySweepBatchMax: batchMax))
        let users = [UserID(1), UserID(2)]
        try await store.insertLoadUsers(users, at: clock.nowEpochSeconds)
        try await wallet.openAccounts(for: users)
        _ = try await wallet.topUp(UserID(1), amountFen: 1_000, idempotencyKey: "fund")
        for index in 0..<packetCount {
            let request = RedPacketRequest(
                sender: UserID(1), split: .fixed, totalFen: 10, shareCount: 2, audience: .users([UserID(2)]), idempotencyKey: "rp-\(index)")
            #expect(try await wallet.createRedPacket(request).code == "ok")
        }
        clock.advance(bySeconds: wallet.limits.redPacketLifetimeSeconds)
        return (wallet, database)
    }

    @Test("one sweep goes on batch after batch while batches come back full, and refunds every expired packet")
    func fullBatchesContinue() async throws {
        let (wallet, database) = try await expiredPackets(5, batchMax: 2)
        defer { try? database.removeFiles() }
        let sweep = try await RedPacketExpirySweeper(wallet: wallet).sweepOnce()
        #expect(sweep.batchCount == 3 && sweep.isComplete)
        #expect(sweep.refunds.count == 5 && sweep.refundedFen == 50)
        #expect(try await wallet.balanceFen(of: UserID(1)) == 1_000)
        #expect(try await wallet.verify().isConsistent)
    }

    @Test("a sweep told to stop ends after its current batch, incomplete, and the next sweep finishes the work")
    func stopsBetweenBatches() async throws {
        let (wallet, database) = try await expiredPackets(5, batchMax: 2)
        defer { try? database.removeFiles() }
        let sweeper = RedPacketExpirySweeper(wallet: wallet)
        let batchesAllowed = Atomic(1)
        let stopped = try await sweeper.sweepOnce(while: { batchesAllowed.subtract(1, ordering: .relaxed).oldValue > 0 })
        #expect(stopped.batchCount == 1 && !stopped.isComplete && stopped.refunds.count == 2)
        #expect(try await wallet.verify().problems.count == 3)
        let rest = try await sweeper.sweepOnce()
        #expect(rest.isComplete && rest.refunds.count == 3)
        #expect(Set((stopped.refunds + rest.refunds).map(\.redPacketID)).count == 5)
        #expect(try await wallet.verify().isConsistent)
    }
}
