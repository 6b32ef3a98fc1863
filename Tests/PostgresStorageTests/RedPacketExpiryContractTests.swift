import Core
import Ledger
@_spi(LedgerStore) import Service
import Testing

/// Money never sits stuck: expired red packets go back to their senders through the sweeper
/// `quanzi serve` and `quanzi ledger expire` run, and `ledger verify` notices when they have not.
/// Written once, run on each backend.
@Suite("red packet expiry on every backend")
struct RedPacketExpiryContractTests {
    static let sender = UserID(1)

    static func packet(to audience: [UserID], totalFen: Int64, shareCount: Int, key: String = "rp") -> RedPacketRequest {
        RedPacketRequest(
            sender: sender, split: .lucky, totalFen: totalFen, shareCount: shareCount, audience: .users(audience),
            idempotencyKey: key, seed: 11)
    }

    @Test("verify flags an expired, unrefunded packet; the sweep refunds exactly its remainder once, as a balanced transfer with its event",
          arguments: Backend.available)
    func sweepRefundsOnce(_ backend: Backend) async throws {
        try await backend.withWallet(userCount: 4) { fixture in
            try await fixture.fund(Self.sender, 1_000)
            let packet = try #require(
                try await fixture.wallet.createRedPacket(Self.packet(to: [UserID(2), UserID(3)], totalFen: 900, shareCount: 3)).receipt)
            let claim = try #require(try await fixture.wallet.claimRedPacket(packet.id, by: UserID(2)).receipt)
            let remainderFen = 900 - claim.amountFen
            let sweeper = RedPacketExpirySweeper(wallet: fixture.wallet)

            // The last second of its life: nothing is due yet.
            fixture.clock.set(epochSeconds: packet.expiresAt - 1)
            #expect(try await fixture.wallet.verify().isConsistent)
            #expect(try await sweeper.sweepOnce().refunds.isEmpty)

            fixture.clock.set(epochSeconds: packet.expiresAt)
            let stuck = try await fixture.wallet.verify()
            #expect(
                stuck.problems == [
                    .redPacketNotRefunded(redPacketID: packet.id.rawValue, expiresAt: packet.expiresAt, unclaimedFen: remainderFen)
                ])

            let sweep = try await sweeper.sweepOnce()
            #expect(sweep.isComplete && sweep.refundedFen == remainderFen)
            let refund = try #require(sweep.refunds.first)
            #expect(sweep.refunds == [RedPacketRefund(redPacketID: packet.id, sender: Self.sender, amountFen: remainderFen, transferID: refund.transferID)])
            #expect(
                try await fixture.strings(
                    "SELECT kind || ' ' || debit_account_id || ' ' || credit_account_id || ' ' || amount_fen FROM ledger_transfers WHERE id = \(refund.transferID)")
                    == ["redpacket_refund \(AccountID.redPacketEscrow.rawValue) 1 \(remainderFen)"])
            #expect(
                try await fixture.strings("SELECT account_id || ':' || amount_fen FROM ledger_entries WHERE transfer_id = \(refund.transferID) ORDER BY account_id")
                    == ["\(AccountID.redPacketEscrow.rawValue):\(-remainderFen)", "1:\(remainderFen)"])
            #expect(
                try await fixture.strings("SELECT kind || ' ' || user_id || ' ' || amount_fen FROM events ORDER BY id DESC LIMIT 1")
                    == ["redpacket.refunded 1 \(remainderFen)"])
            #expect(try await fixture.balance(1) == 100 + remainderFen)
            #expect(try await fixture.wallet.balanceFen(of: .redPacketEscrow) == 0)
            #expect(try await fixture.wallet.verify().isConsistent)

            let settled = try await fixture.snapshot()
            let again = try await sweeper.sweepOnce()
            #expect(again.refunds.isEmpty && again.isComplete)
            #expect(try await fixture.snapshot() == settled)
        }
    }

    @Test("a sweep racing last-second claims: every fen is claimed or refunded exactly once, and no claim lands at or after expiry",
          arguments: Backend.available)
    func sweepRacesClaims(_ backend: Backend) async throws {
        let claimerCount = 60
        try await backend.withWallet(userCount: claimerCount + 1) { fixture in
            let claimers = (2...Int64(claimerCount + 1)).map(UserID.init(rawValue:))
            let totalFen: Int64 = 10_000
            try await fixture.fund(Self.sender, totalFen)
            // More shares than claimers: whatever the interleaving, some remainder is left to refund.
            let packet = try #require(
                try await fixture.wallet.createRedPacket(Self.packet(to: claimers, totalFen: totalFen, shareCount: 100)).receipt)
            fixture.clock.set(epochSeconds: packet.expiresAt - 1)
            let sweeper = RedPacketExpirySweeper(wallet: fixture.wallet)

            enum Outcome: Sendable { case claim(ClaimResult), sweep(RedPacketSweep) }
            // A third claims in its last second, a third races the packet's expiry, and a third
            // claims at the expiry second alongside the sweep.
            let thirds = stride(from: 0, to: claimerCount, by: claimerCount / 3).map { Array(claimers[$0..<($0 + claimerCount / 3)]) }
            let outcomes = try await withThrowingTaskGroup(of: [Outcome].self) { group in
                for claimer in thirds[0] + thirds[1] {
                    group.addTask { [.claim(try await fixture.wallet.claimRedPacket(packet.id, by: claimer))] }
                }
                group.addTask {
                    fixture.clock.set(epochSeconds: packet.expiresAt)
                    return try await withThrowingTaskGroup(of: Outcome.self) { boundary in
                        for claimer in thirds[2] {
                            boundary.addTask { .claim(try await fixture.wallet.claimRedPacket(packet.id, by: claimer)) }
                        }
                        // One of them is decided at the expiry second before the sweep starts;
                        // the rest race it.
                        let first = try #require(try await boundary.next())
                        boundary.addTask { .sweep(try await sweeper.sweepOnce()) }
                        return try await boundary.reduce(into: [first]) { $0.append($1) }
                    }
                }
                return try await group.reduce(into: [Outcome]()) { $0 += $1 }
            }
            let lateSweep = try await sweeper.sweepOnce()

            let results = outcomes.compactMap { if case .claim(let result) = $0 { result } else { nil } }
            let claims = results.compactMap { if case .committed(let claim) = $0 { claim } else { nil } }
            let racingRefunds = outcomes.flatMap { outcome -> [RedPacketRefund] in
                if case .sweep(let sweep) = outcome { sweep.refunds } else { [] }
            }
            let refunds = racingRefunds + lateSweep.refunds
            #expect(results.allSatisfy { ["ok", "red_packet_expired"].contains($0.code) }, "\(results.map(\.code))")
            #expect(claims.allSatisfy { $0.claimedAt < packet.expiresAt })
            #expect(Set(claims.map(\.shareIndex)).count == claims.count && Set(claims.map(\.claimer)).count == claims.count)
            #expect(refunds.count == 1)
            let refund = try #require(refunds.first)
            // No claim committed after the refund: the refund is the packet's last movement.
            #expect(claims.allSatisfy { $0.transferID < refund.transferID })
            let claimedFen = claims.reduce(Int64(0)) { $0 + $1.amountFen }
            #expect(claimedFen + refund.amountFen == totalFen)
            #expect(try await fixture.balance(1) == refund.amountFen)
            var claimerBalancesFen: Int64 = 0
            for claimer in claimers { claimerBalancesFen += try await fixture.balance(claimer.rawValue) ?? 0 }
            #expect(claimerBalancesFen == claimedFen)
            #expect(try await fixture.wallet.balanceFen(of: .redPacketEscrow) == 0)
            let state = try #require(try await fixture.wallet.redPacket(packet.id))
            #expect(state.claims.count == claims.count && state.refundTransferID == refund.transferID && state.remainingFen == 0)
            #expect(try await fixture.wallet.verify().isConsistent)
        }
    }
}
