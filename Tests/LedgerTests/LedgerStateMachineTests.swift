import Core
import Ledger
import PropertyBased
import Testing

/// The state machines with no database: an in-memory ledger (dictionaries) plays the backend,
/// prefetching what a batch names and applying the plan it gets back.
@Suite("Ledger state machine")
struct LedgerStateMachineTests {
    /// Balances, committed keys and transfer ids: what a backend would hold.
    struct MemoryLedger {
        var balancesFen: [AccountID: Int64]
        var earlier: [IdempotencyKey: EarlierTransfer] = [:]
        var nextTransferID: Int64 = 1
        var entriesFen: [Int64] = []

        init(users: Int64, openExternal: Bool = true) {
            balancesFen = Dictionary(uniqueKeysWithValues: (1...users).map { (AccountID.user(UserID($0)), Int64(0)) })
            if openExternal { balancesFen[.external] = 0 }
            balancesFen[.redPacketEscrow] = 0
        }

        /// Prefetch → decide → apply, as a backend's transaction does.
        mutating func commit(_ requests: [TransferRequest], limits: LedgerLimits = .default, at now: Int64 = 1_000) -> [TransferResult] {
            let accounts = LedgerStateMachine.accounts(for: requests, limits: limits)
            let keys = LedgerStateMachine.idempotencyKeys(for: requests, limits: limits)
            let snapshot = TransferSnapshot(
                balancesFen: balancesFen.filter { accounts.contains($0.key) },
                earlier: earlier.filter { keys.contains($0.key) })
            let plan = LedgerStateMachine.decide(requests, snapshot: snapshot, limits: limits)
            let ids = plan.postings.indices.map { Int64($0) + nextTransferID }
            nextTransferID += Int64(plan.postings.count)
            for (account, deltaFen) in plan.deltas.sorted { balancesFen[account, default: 0] += deltaFen }
            let receipts = plan.receipts(transferIDs: ids, createdAt: now)
            for (posting, receipt) in zip(plan.postings, receipts) {
                earlier[IdempotencyKey(initiator: posting.initiator!, key: posting.idempotencyKey!)] =
                    EarlierTransfer(receipt: receipt, fingerprint: posting.fingerprint!)
                entriesFen += [-posting.amountFen, posting.amountFen]
            }
            #expect(plan.events(receipts: receipts).count == plan.postings.count)
            return plan.results(receipts: receipts)
        }
    }

    static let users: Int64 = 4

    /// A request from four numbers: top-ups, transfers and tips between four users, with keys
    /// drawn from a small set so replays and reused keys happen often.
    static func request(_ selector: Int, _ a: Int64, _ b: Int64, _ amount: Int64) -> TransferRequest {
        let key = "k\(amount.magnitude % 7)"
        switch selector {
        case 0: return .topUp(UserID(a), amountFen: amount * 3, idempotencyKey: key)
        case 1: return .tip(from: UserID(a), to: UserID(b), postID: amount % 3, amountFen: amount, idempotencyKey: key)
        default: return .transfer(from: UserID(a), to: UserID(b), amountFen: amount, idempotencyKey: key)
        }
    }

    static let step = zip(Gen.int(in: 0...3), Gen.int64(in: 1...users), Gen.int64(in: 1...users), Gen.int64(in: -3...400))

    @Test("a batch decides exactly what its requests decide one at a time, and conserves money")
    func batchEqualsSequence() async {
        await propertyCheck(count: 200, input: Self.step.array(of: 1...60), Gen.int(in: 1...16)) { steps, batchSize in
            let requests = steps.map { Self.request($0.0, $0.1, $0.2, $0.3) }
            var batched = MemoryLedger(users: Self.users)
            var alone = MemoryLedger(users: Self.users)
            var batchedResults: [TransferResult] = []
            var start = 0
            while start < requests.count {
                let batch = Array(requests[start..<min(start + batchSize, requests.count)])
                batchedResults += batched.commit(batch)
                start += batchSize
            }
            let aloneResults = requests.flatMap { alone.commit([$0]) }
            // Transfer ids differ (a batch numbers its postings together), so compare codes and amounts.
            #expect(batchedResults.map(\.code) == aloneResults.map(\.code))
            #expect(batchedResults.map { $0.receipt?.amountFen } == aloneResults.map { $0.receipt?.amountFen })
            #expect(batched.balancesFen == alone.balancesFen)
            #expect(batched.balancesFen.values.reduce(0, +) == 0, "money is neither created nor lost")
            #expect(batched.entriesFen.reduce(0, +) == 0)
            for (account, balanceFen) in batched.balancesFen where account.kind == .user { #expect(balanceFen >= 0) }
        }
    }

    @Test("a replayed key answers the first receipt; the same key for another request is refused")
    func replays() {
        var ledger = MemoryLedger(users: 2)
        let topUp = TransferRequest.topUp(UserID(1), amountFen: 500, idempotencyKey: "t")
        let pay = TransferRequest.transfer(from: UserID(1), to: UserID(2), amountFen: 200, idempotencyKey: "p")
        let results = ledger.commit([topUp, pay, pay, .transfer(from: UserID(1), to: UserID(2), amountFen: 201, idempotencyKey: "p")])
        #expect(results.map(\.code) == ["ok", "ok", "replayed", "idempotency_key_reused"])
        #expect(results[2].receipt == results[1].receipt)
        #expect(ledger.commit([pay]) == [.replayed(results[1].receipt!)])
        #expect(ledger.balancesFen[.user(UserID(1))] == 300)
    }

    @Test("checks run in LedgerError order: fields, accounts, key, funds, overflow")
    func checkOrder() {
        var ledger = MemoryLedger(users: 2)
        #expect(ledger.commit([.transfer(from: UserID(1), to: UserID(9), amountFen: 1, idempotencyKey: "a")]) == [.rejected(.accountNotFound)])
        #expect(ledger.commit([.transfer(from: UserID(1), to: UserID(2), amountFen: 1, idempotencyKey: "a")]) == [.rejected(.insufficientFunds)])
        #expect(ledger.commit([.transfer(from: UserID(1), to: UserID(2), amountFen: 0, idempotencyKey: "a")]) == [.rejected(.amountMustBePositive)])
        ledger.balancesFen[.user(UserID(2))] = .max - 5
        _ = ledger.commit([.topUp(UserID(1), amountFen: 10, idempotencyKey: "t")])
        #expect(ledger.commit([.transfer(from: UserID(1), to: UserID(2), amountFen: 10, idempotencyKey: "b")]) == [.rejected(.exceedsLimit)])
    }

    @Test("a red packet's claims hand out its drawn shares in order; expiry refunds the rest once")
    func redPacketLifecycle() throws {
        let request = RedPacketRequest(
            sender: UserID(1), split: .lucky, totalFen: 1_000, shareCount: 3, audience: .users([UserID(2), UserID(3), UserID(2)]),
            idempotencyKey: "rp", seed: 42)
        let snapshot = RedPacketStateMachine.CreateSnapshot(senderFen: 5_000, escrowFen: 0, earlier: nil, earlierPacket: nil)
        guard case .write(let plan) = RedPacketStateMachine.create(request, seed: 42, snapshot: snapshot, limits: .default, at: 100) else {
            Issue.record("expected a plan")
            return
        }
        #expect(plan.sharesFen.reduce(0, +) == 1_000)
        #expect(plan.listedUsers == [UserID(2), UserID(3)])
        #expect(plan.deltas.fenByAccount == [.user(UserID(1)): -1_000, .redPacketEscrow: 1_000])
        let receipt = plan.receipt(id: RedPacketID(7), fundTransferID: 11)
        #expect(receipt.expiresAt == 100 + LedgerLimits.default.redPacketLifetimeSeconds)

        let record = RedPacketRecord(receipt: receipt, settledAt: nil, refundTransferID: nil)
        func claim(_ user: Int64, listed: Bool, next: Int?, at now: Int64) -> LedgerDecision<ClaimResult, RedPacketStateMachine.ClaimPlan> {
            RedPacketStateMachine.claim(
                receipt.id, by: UserID(user),
                snapshot: .init(
                    packet: record, claimerHasAccount: true, earlierClaim: nil, claimerIsListed: listed,
                    nextShare: next.map { .init(index: $0, amountFen: plan.sharesFen[$0]) }),
                at: now)
        }
        #expect(claim(4, listed: false, next: 0, at: 101) == .answer(.rejected(.notInAudience)))
        #expect(claim(2, listed: true, next: nil, at: 101) == .answer(.rejected(.redPacketEmpty)))
        #expect(claim(2, listed: true, next: 0, at: receipt.expiresAt) == .answer(.rejected(.redPacketExpired)))
        guard case .write(let last) = claim(3, listed: true, next: 2, at: 101) else {
            Issue.record("expected a claim")
            return
        }
        #expect(last.settlesPacket && last.posting.amountFen == plan.sharesFen[2])
        #expect(last.deltas.fenByAccount == [.redPacketEscrow: -plan.sharesFen[2], .user(UserID(3)): plan.sharesFen[2]])

        let sweep = RedPacketStateMachine.expire(
            [.init(id: receipt.id, sender: UserID(1), remainderFen: 400), .init(id: RedPacketID(8), sender: UserID(2), remainderFen: 0)],
            at: 200)
        #expect(sweep.plans.map { $0.refund?.amountFen } == [400, nil])
        #expect(sweep.deltas.fenByAccount == [.redPacketEscrow: -400, .user(UserID(1)): 400])
        #expect(sweep.plans[0].event(transferID: 12) == .redPacketRefunded(
            RedPacketRefund(redPacketID: receipt.id, sender: UserID(1), amountFen: 400, transferID: 12), at: 200))
    }

    @Test("a replayed red packet key answers the packet it funded; any other use of the key is a reuse")
    func redPacketReplay() {
        let request = RedPacketRequest(
            sender: UserID(1), split: .fixed, totalFen: 300, shareCount: 3, audience: .friends, idempotencyKey: "rp", seed: 1)
        let packet = RedPacketReceipt(
            id: RedPacketID(1), sender: UserID(1), split: .fixed, totalFen: 300, shareCount: 3, audience: .friends, seed: 1,
            fundTransferID: 5, createdAt: 10, expiresAt: 20)
        let fund = TransferReceipt(
            transferID: 5, kind: .redPacketCreate, debit: .user(UserID(1)), credit: .redPacketEscrow, amountFen: 300,
            initiator: UserID(1), idempotencyKey: "rp", postID: nil, createdAt: 10)
        func decide(_ fingerprint: String) -> LedgerDecision<RedPacketResult, RedPacketStateMachine.CreatePlan> {
            RedPacketStateMachine.create(
                request, seed: 1,
                snapshot: .init(senderFen: 0, escrowFen: 300, earlier: EarlierTransfer(receipt: fund, fingerprint: fingerprint), earlierPacket: packet),
                limits: .default, at: 30)
        }
        #expect(decide(request.fingerprint) == .answer(.replayed(packet)))
        #expect(decide("something else") == .answer(.rejected(.idempotencyKeyReused)))
    }
}
