import Core
import Ledger
import PropertyBased
@_spi(LedgerStore) @testable import Service
@_spi(LedgerStore) import SQLiteStorage
@_spi(LedgerStore) import StorageModel
import Testing

/// Random sequences of top-ups, transfers, tips, replays, red packets, claims and expiries run
/// against the wallet and against a model (plain dictionaries). Every result must be the one
/// the model predicts, balances must match it, nothing may go negative and verify must pass.
@Suite("Ledger properties")
struct LedgerPropertyTests {
    static let userCount: Int64 = 5
    /// Packets are for users 1–4, so user 5 exercises `not_in_audience`.
    static let audience = (1...4).map { UserID(Int64($0)) }

    /// One step: an operation selector and three numbers it interprets.
    static let step = zip(Gen.int(in: 0...11), Gen.int64(in: 1...userCount), Gen.int64(in: 1...userCount), Gen.int64(in: -5...2_500))

    @Test("random ledger histories conserve money, never go negative and match the model")
    func histories() async {
        await propertyCheck(count: 25, input: Self.step.array(of: 5...40)) { steps in
            do {
                try await Self.run(steps)
            } catch {
                Issue.record("storage failed: \(error)")
            }
        }
    }

    static func run(_ steps: [(Int, Int64, Int64, Int64)]) async throws {
        let fixture = try await WalletFixture(userCount: Int(userCount))
        defer { fixture.remove() }
        var model = LedgerModel(userCount: userCount, limits: fixture.wallet.limits)
        for user in 1...userCount {
            let request = TransferRequest.topUp(UserID(user), amountFen: 1_000, idempotencyKey: "initial")
            try await model.check(request, against: fixture.wallet.transfer(request))
        }
        for (index, (operation, a, b, amount)) in steps.enumerated() {
            let key = "op-\(index)"
            switch operation {
            case 0, 1:
                let request = TransferRequest.topUp(UserID(a), amountFen: amount * 4, idempotencyKey: key)
                try await model.check(request, against: fixture.wallet.transfer(request))
            case 2, 3, 4:
                let request = TransferRequest.transfer(from: UserID(a), to: UserID(b), amountFen: amount / 3, idempotencyKey: key)
                try await model.check(request, against: fixture.wallet.transfer(request))
            case 5:
                let request = TransferRequest.tip(
                    from: UserID(a), to: UserID(b), postID: amount, amountFen: amount / 5, idempotencyKey: key)
                try await model.check(request, against: fixture.wallet.transfer(request))
            case 6:
                guard !model.committed.isEmpty else { continue }
                let (request, receipt) = model.committed[Int(amount.magnitude) % model.committed.count]
                #expect(try await fixture.wallet.transfer(request) == .replayed(receipt))
            case 7:
                // Share counts 0–6 against totals down to −2 fen: the refusals get exercised too.
                let request = RedPacketRequest(
                    sender: UserID(a), split: b % 2 == 0 ? .fixed : .lucky, totalFen: amount / 2, shareCount: Int(b * a % 7),
                    audience: .users(audience), idempotencyKey: key, seed: UInt64(index))
                try await model.check(request, against: fixture.wallet.createRedPacket(request), now: fixture.clock.nowEpochSeconds)
            case 8, 9, 10:
                guard !model.packets.isEmpty else { continue }
                let id = model.packets.keys.sorted()[Int(amount.magnitude) % model.packets.count]
                let claimer = UserID(b)
                try await model.check(
                    claim: id, by: claimer, against: fixture.wallet.claimRedPacket(id, by: claimer), now: fixture.clock.nowEpochSeconds)
            default:
                // 1 to 30 hours: some packets outlive the step, others expire (24 h lifetime).
                fixture.clock.advance(bySeconds: 3_600 * (Int64(amount.magnitude % 30) + 1))
                model.expire(refunds: try await fixture.wallet.expireRedPackets(), now: fixture.clock.nowEpochSeconds)
            }
        }
        for user in 1...userCount {
            #expect(try await fixture.balance(user) == model.balancesFen[user], "user \(user)")
            #expect((model.balancesFen[user] ?? -1) >= 0)
        }
        #expect(try await fixture.wallet.balanceFen(of: .redPacketEscrow) == model.escrowFen)
        let report = try await fixture.wallet.verify()
        #expect(report.isConsistent, "\(report.problems)")
        #expect(report.moneyInSystemFen == model.moneyInSystemFen)
    }
}
