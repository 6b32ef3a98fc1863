import Core
import GRDB
import Ledger
@_spi(LedgerStore) @testable import Service
@_spi(LedgerStore) import SQLiteStorage
@_spi(LedgerStore) import StorageModel
import Testing

@Suite("Wallet transfers")
struct WalletTransferTests {
    let alice = UserID(1)
    let bob = UserID(2)

    @Test("a top-up and a transfer move money, record their events and keep the ledger consistent")
    func moveMoney() async throws {
        let fixture = try await WalletFixture()
        defer { fixture.remove() }
        let topUp = try await fixture.wallet.topUp(alice, amountFen: 1_000, idempotencyKey: "t1")
        guard case .committed(let funded) = topUp else { Issue.record("top-up: \(topUp)"); return }
        #expect(funded.debit == .external && funded.credit == .user(alice) && funded.kind == .topUp)

        let sent = try await fixture.wallet.transfer(from: alice, to: bob, amountFen: 250, idempotencyKey: "t2")
        #expect(sent.code == "ok")
        #expect(try await fixture.balance(1) == 750)
        #expect(try await fixture.balance(2) == 250)
        #expect(try await fixture.wallet.balanceFen(of: .external) == -1_000)
        #expect(try await fixture.eventKinds() == ["topup.committed", "transfer.committed"])
        let report = try await fixture.wallet.verify()
        #expect(report.isConsistent, "\(report.problems)")
        #expect(report.moneyInSystemFen == 1_000 && report.transferCount == 2 && report.entryCount == 4)
    }

    @Test("a tip is a transfer tied to a post, recorded as tip.sent with its circle")
    func tip() async throws {
        let fixture = try await WalletFixture()
        defer { fixture.remove() }
        try await fixture.fund(alice, 500)
        let result = try await fixture.wallet.tip(
            from: alice, to: bob, postID: 77, circleID: CircleID("campus-diary"), amountFen: 200, idempotencyKey: "tip-1")
        #expect(result.receipt?.kind == .tip && result.receipt?.postID == 77)
        #expect(try await fixture.eventKinds().last == "tip.sent")
        #expect(try await fixture.balance(2) == 200)
    }

    /// Every refusal, in both commit modes: the code names the first failing check and nothing
    /// changes (balances, transfers, entries, events).
    @Test(
        "each refusal gets its own code and changes nothing",
        arguments: [TransferCommitMode.default, .transactionPerTransfer])
    func refusals(mode: TransferCommitMode) async throws {
        let fixture = try await WalletFixture(commitMode: mode)
        defer { fixture.remove() }
        try await fixture.fund(alice, 1_000)
        let stranger = UserID(999)
        let cases: [(TransferRequest, LedgerError)] = [
            (.transfer(from: alice, to: bob, amountFen: 1_001, idempotencyKey: "overdraft"), .insufficientFunds),
            (.transfer(from: alice, to: stranger, amountFen: 10, idempotencyKey: "unknown"), .accountNotFound),
            (.transfer(from: stranger, to: alice, amountFen: 10, idempotencyKey: "unknown-2"), .accountNotFound),
            (.transfer(from: alice, to: bob, amountFen: 0, idempotencyKey: "zero"), .amountMustBePositive),
            (.transfer(from: alice, to: bob, amountFen: -10, idempotencyKey: "negative"), .amountMustBePositive),
            (.transfer(from: alice, to: alice, amountFen: 10, idempotencyKey: "self"), .sameAccount),
            (.transfer(from: alice, to: bob, amountFen: 5_000_001, idempotencyKey: "huge"), .exceedsLimit),
            (.topUp(alice, amountFen: 5_000_001, idempotencyKey: "huge-top-up"), .exceedsLimit),
            (.transfer(from: alice, to: bob, amountFen: 10, idempotencyKey: ""), .invalidIdempotencyKey),
            // An unknown account is reported before the balance, whatever the amount.
            (.transfer(from: stranger, to: bob, amountFen: 1_000_000, idempotencyKey: "unknown-3"), .accountNotFound),
        ]
        let before = try await fixture.snapshot()
        for (request, expected) in cases {
            let result = try await fixture.wallet.transfer(request)
            #expect(result == .rejected(expected), "\(request.idempotencyKey)")
        }
        #expect(try await fixture.snapshot() == before)
        #expect(try await fixture.wallet.verify().isConsistent)
    }

    @Test("an account opens once, and only for an existing user")
    func openAccount() async throws {
        let fixture = try await WalletFixture(userCount: 2)
        defer { fixture.remove() }
        #expect(try await fixture.wallet.openAccount(for: alice) == false)
        await #expect(throws: LedgerError.userNotFound) { try await fixture.wallet.openAccount(for: UserID(404)) }
        #expect(try await fixture.wallet.balanceFen(of: UserID(404)) == nil)
    }

    @Test("a batch applies each request on its own: one overdraft does not fail the others")
    func batchIsolation() async throws {
        let fixture = try await WalletFixture()
        defer { fixture.remove() }
        try await fixture.fund(alice, 100)
        let outcomes = await fixture.wallet.submitBatch([
            .transfer(from: alice, to: bob, amountFen: 60, idempotencyKey: "a"),
            .transfer(from: alice, to: bob, amountFen: 60, idempotencyKey: "b"),
            .transfer(from: alice, to: UserID(3), amountFen: 40, idempotencyKey: "c"),
        ])
        #expect(try outcomes.map { try $0.get().code } == ["ok", "insufficient_funds", "ok"])
        #expect(try await fixture.balance(1) == 0)
        #expect(try await fixture.wallet.verify().isConsistent)
    }

    /// A trigger stands in for a bug the checks missed: the database refuses 13-fen transfers.
    @Test("a request that fails inside the database fails alone; the rest of its batch commits")
    func poisonedBatch() async throws {
        let fixture = try await WalletFixture()
        defer { fixture.remove() }
        try await fixture.fund(alice, 1_000)
        try await fixture.database.pool.write { db in
            try db.execute(
                sql: """
                    CREATE TEMP TRIGGER poison BEFORE INSERT ON ledger_transfers WHEN NEW.amount_fen = 13
                    BEGIN SELECT RAISE(ABORT, 'poison'); END
                    """)
        }
        let results = await fixture.wallet.submitBatch([
            .transfer(from: alice, to: bob, amountFen: 10, idempotencyKey: "a"),
            .transfer(from: alice, to: bob, amountFen: 13, idempotencyKey: "b"),
            .transfer(from: alice, to: bob, amountFen: 20, idempotencyKey: "c"),
        ])
        #expect(results.map { (try? $0.get())?.code ?? "error" } == ["ok", "error", "ok"])
        #expect(try await fixture.balance(2) == 30)

        // Through group commit: concurrent callers, one of them poisoned.
        let wallet = fixture.wallet
        let codes = await withTaskGroup(of: String.self) { group in
            for (index, amountFen) in [5, 13, 7, 13, 9].enumerated() {
                group.addTask {
                    let result = try? await wallet.transfer(
                        from: UserID(1), to: UserID(2), amountFen: Int64(amountFen), idempotencyKey: "g\(index)")
                    return result?.code ?? "error"
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(codes.sorted() == ["error", "error", "ok", "ok", "ok"])
        #expect(try await fixture.balance(2) == 30 + 5 + 7 + 9)
        #expect(try await fixture.wallet.verify().isConsistent)
    }
}
