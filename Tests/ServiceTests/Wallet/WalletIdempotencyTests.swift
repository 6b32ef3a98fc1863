import Core
import Ledger
@_spi(LedgerStore) @testable import Service
@_spi(LedgerStore) import SQLiteStorage
@_spi(LedgerStore) import StorageModel
import Testing

@Suite("Wallet idempotency")
struct WalletIdempotencyTests {
    let alice = UserID(1)
    let bob = UserID(2)

    @Test(
        "replaying a key returns the original receipt and moves nothing, even when it would now fail",
        arguments: [TransferCommitMode.default, .transactionPerTransfer])
    func replay(mode: TransferCommitMode) async throws {
        let fixture = try await WalletFixture(commitMode: mode)
        defer { fixture.remove() }
        try await fixture.fund(alice, 300)
        let request = TransferRequest.transfer(from: alice, to: bob, amountFen: 300, idempotencyKey: "pay-1")
        guard case .committed(let original) = try await fixture.wallet.transfer(request) else {
            Issue.record("first attempt did not commit")
            return
        }
        fixture.clock.advance(bySeconds: 60)
        let before = try await fixture.snapshot()
        // Alice now has 0 fen: a new transfer would be refused, the replay is not.
        #expect(try await fixture.wallet.transfer(request) == .replayed(original))
        #expect(try await fixture.snapshot() == before)
    }

    @Test("the same key with a different request is a conflict and moves nothing")
    func conflict() async throws {
        let fixture = try await WalletFixture()
        defer { fixture.remove() }
        try await fixture.fund(alice, 1_000)
        _ = try await fixture.wallet.transfer(from: alice, to: bob, amountFen: 100, idempotencyKey: "pay-1")
        let before = try await fixture.snapshot()
        let conflicts: [TransferRequest] = [
            .transfer(from: alice, to: bob, amountFen: 101, idempotencyKey: "pay-1"),
            .transfer(from: alice, to: UserID(3), amountFen: 100, idempotencyKey: "pay-1"),
            .tip(from: alice, to: bob, postID: 5, amountFen: 100, idempotencyKey: "pay-1"),
        ]
        for request in conflicts {
            #expect(try await fixture.wallet.transfer(request) == .rejected(.idempotencyKeyReused))
        }
        #expect(try await fixture.snapshot() == before)
    }

    @Test("keys belong to their initiator: two users may use the same key")
    func perInitiator() async throws {
        let fixture = try await WalletFixture()
        defer { fixture.remove() }
        try await fixture.fund(alice, 100)
        try await fixture.fund(bob, 100)
        #expect(try await fixture.wallet.transfer(from: alice, to: UserID(3), amountFen: 10, idempotencyKey: "k").code == "ok")
        #expect(try await fixture.wallet.transfer(from: bob, to: UserID(3), amountFen: 10, idempotencyKey: "k").code == "ok")
        #expect(try await fixture.balance(3) == 20)
    }

    @Test("a refused request leaves its key unused, so a retry after a top-up succeeds")
    func refusedKeyIsFree() async throws {
        let fixture = try await WalletFixture()
        defer { fixture.remove() }
        let request = TransferRequest.transfer(from: alice, to: bob, amountFen: 50, idempotencyKey: "retry")
        #expect(try await fixture.wallet.transfer(request) == .rejected(.insufficientFunds))
        try await fixture.fund(alice, 50)
        #expect(try await fixture.wallet.transfer(request).code == "ok")
        #expect(try await fixture.wallet.transfer(request).code == "replayed")
        #expect(try await fixture.balance(2) == 50)
    }

    @Test("the same request sent many times at once commits once; the others replay it")
    func concurrentDuplicates() async throws {
        let fixture = try await WalletFixture()
        defer { fixture.remove() }
        try await fixture.fund(alice, 100)
        let request = TransferRequest.transfer(from: alice, to: bob, amountFen: 70, idempotencyKey: "double-click")
        let wallet = fixture.wallet
        let codes = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await wallet.transfer(request).code } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(codes.filter { $0 == "ok" }.count == 1)
        #expect(codes.filter { $0 == "replayed" }.count == 19)
        #expect(try await fixture.balance(2) == 70)
    }
}
