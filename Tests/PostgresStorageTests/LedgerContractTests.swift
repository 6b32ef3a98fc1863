import Core
import Ledger
import Testing

/// The wallet's transfers on each backend: codes, events in the same transaction, accounts.
@Suite("ledger on every backend")
struct LedgerContractTests {
    @Test("transfers, tips and top-ups commit with their event; a replay and a refusal write nothing", arguments: Backend.available)
    func transfersAndEvents(_ backend: Backend) async throws {
        try await backend.withWallet(userCount: 3) { fixture in
            #expect(try await fixture.wallet.topUp(UserID(1), amountFen: 1_000, idempotencyKey: "top").code == "ok")
            let pay = try await fixture.wallet.transfer(from: UserID(1), to: UserID(2), amountFen: 300, idempotencyKey: "pay")
            let receipt = try #require(pay.receipt)
            let tip = try await fixture.wallet.tip(
                from: UserID(1), to: UserID(3), postID: 77, circleID: CircleID("campus-diary"), amountFen: 50, idempotencyKey: "tip")
            #expect(tip.code == "ok" && tip.receipt?.postID == 77)
            #expect(try await fixture.eventKinds() == ["topup.committed", "transfer.committed", "tip.sent"])
            let tipEvent = try await fixture.strings("SELECT circle_id || ' ' || post_id || ' ' || target_user_id || ' ' || amount_fen FROM events WHERE kind = 'tip.sent'")
            #expect(tipEvent == ["campus-diary 77 3 50"])

            let before = try await fixture.snapshot()
            #expect(try await fixture.wallet.transfer(from: UserID(1), to: UserID(2), amountFen: 300, idempotencyKey: "pay") == .replayed(receipt))
            #expect(try await fixture.wallet.transfer(from: UserID(2), to: UserID(1), amountFen: 301, idempotencyKey: "x") == .rejected(.insufficientFunds))
            #expect(try await fixture.wallet.transfer(from: UserID(1), to: UserID(9), amountFen: 1, idempotencyKey: "y") == .rejected(.accountNotFound))
            #expect(try await fixture.snapshot() == before)
            #expect(try await fixture.wallet.receipt(ofTransfer: receipt.transferID) == receipt)
            #expect(try await fixture.balance(1) == 650)
            #expect(try await fixture.wallet.verify().isConsistent)
        }
    }

    @Test("opening accounts needs existing users, all or nothing; reopening is a no-op", arguments: Backend.available)
    func accounts(_ backend: Backend) async throws {
        try await backend.withWallet(userCount: 3) { fixture async throws in
            #expect(try await fixture.wallet.openAccount(for: UserID(1)) == false)
            do {
                _ = try await fixture.wallet.openAccounts(for: [UserID(2), UserID(99)])
                Issue.record("opened an account for a user who does not exist")
            } catch {
                #expect(error as? LedgerError == .userNotFound)
            }
            #expect(try await fixture.wallet.balanceFen(of: UserID(99)) == nil)
            #expect(try await fixture.wallet.balanceFen(of: UserID(2)) == 0)
        }
    }

    @Test("an admin's top-up key is the admin's: replayed for the same user, a key reuse for another, apart from the user's keys",
          arguments: Backend.available)
    func adminTopUpKeys(_ backend: Backend) async throws {
        try await backend.withWallet(userCount: 3) { fixture in
            let (admin, user, other) = (UserID(1), UserID(2), UserID(3))
            let first = try await fixture.wallet.topUp(user, by: admin, amountFen: 5_000, idempotencyKey: "card-77")
            let receipt = try #require(first.receipt)
            #expect(receipt.initiator == admin && receipt.credit == .user(user))
            #expect(try await fixture.wallet.topUp(user, by: admin, amountFen: 5_000, idempotencyKey: "card-77") == .replayed(receipt))
            #expect(try await fixture.wallet.topUp(other, by: admin, amountFen: 5_000, idempotencyKey: "card-77")
                == .rejected(.idempotencyKeyReused))
            #expect(try await fixture.wallet.receipt(initiator: admin, idempotencyKey: "card-77") == receipt)
            #expect(try await fixture.wallet.receipt(initiator: user, idempotencyKey: "card-77") == nil)

            // The credited user's own key of the same text is another key.
            #expect(try await fixture.wallet.transfer(from: user, to: other, amountFen: 100, idempotencyKey: "card-77").code == "ok")
            #expect(try await fixture.balance(2) == 4_900)
            #expect(try await fixture.balance(3) == 100)
            #expect(try await fixture.wallet.verify().isConsistent)
        }
    }
}
