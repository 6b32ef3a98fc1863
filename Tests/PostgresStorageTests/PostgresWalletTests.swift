@_spi(LedgerStore) import Service
import Core
import Ledger
import PostgresNIO
@_spi(LedgerStore) import PostgresStorage
@_spi(LedgerStore) import StorageModel
import Testing

@Suite("PostgreSQL wallet", PostgresTestDatabase.available)
struct PostgresWalletTests {
    @Test("a transfer moves money, its key replays the first receipt and a changed request is a conflict")
    func transferAndReplay() async throws {
        try await PostgresTestDatabase.withNodes(1) { clients in
            let wallet = try await WalletService.onPostgres(client: clients[0], clock: ManualClock(epochSeconds: 1_000))
            await #expect(throws: LedgerError.userNotFound) { try await wallet.openAccounts(for: [UserID(1)]) }
            try await PostgresTestDatabase.insertUsers([1, 2], on: clients[0])
            #expect(try await wallet.openAccounts(for: [UserID(1), UserID(2)]) == 2)
            #expect(try await wallet.openAccounts(for: [UserID(1)]) == 0)
            #expect(try await wallet.topUp(UserID(1), amountFen: 10_000, idempotencyKey: "top").code == "ok")

            let pay = TransferRequest.transfer(from: UserID(1), to: UserID(2), amountFen: 2_500, idempotencyKey: "pay")
            let first = try await wallet.transfer(pay)
            let receipt = try #require(first.receipt)
            #expect(first.code == "ok")
            #expect(try await wallet.transfer(pay) == .replayed(receipt))
            #expect(try await wallet.receipt(ofTransfer: receipt.transferID) == receipt)
            let changed = TransferRequest.transfer(from: UserID(1), to: UserID(2), amountFen: 2_600, idempotencyKey: "pay")
            #expect(try await wallet.transfer(changed) == .rejected(.idempotencyKeyReused))

            #expect(try await wallet.balanceFen(of: .user(UserID(1))) == 7_500)
            #expect(try await wallet.balanceFen(of: .user(UserID(2))) == 2_500)
            #expect(try await wallet.balanceFen(of: .external) == -10_000)
            let report = try await wallet.verify()
            #expect(report.isConsistent, "\(report.problems)")
            #expect(report.transferCount == 2 && report.entryCount == 4 && report.moneyInSystemFen == 10_000)
        }
    }

    @Test(
        "refusals come in LedgerError order and move nothing, group committed or a transaction per transfer",
        arguments: [TransferCommitMode.default, .transactionPerTransfer])
    func refusals(mode: TransferCommitMode) async throws {
        try await PostgresTestDatabase.withNodes(1) { clients in
            let wallet = try await WalletService.onPostgres(client: clients[0], commitMode: mode)
            try await PostgresTestDatabase.insertUsers([1, 2], on: clients[0])
            try await wallet.openAccounts(for: [UserID(1), UserID(2)])
            #expect(try await wallet.topUp(UserID(1), amountFen: 100, idempotencyKey: "top").code == "ok")
            let cases: [(TransferRequest, LedgerError)] = [
                (.transfer(from: UserID(1), to: UserID(2), amountFen: 1, idempotencyKey: ""), .invalidIdempotencyKey),
                (.transfer(from: UserID(1), to: UserID(2), amountFen: 0, idempotencyKey: "a"), .amountMustBePositive),
                (.transfer(from: UserID(1), to: UserID(1), amountFen: 1, idempotencyKey: "b"), .sameAccount),
                (.transfer(from: UserID(1), to: UserID(2), amountFen: 5_000_001, idempotencyKey: "c"), .exceedsLimit),
                (.transfer(from: UserID(1), to: UserID(9), amountFen: 1, idempotencyKey: "d"), .accountNotFound),
                (.transfer(from: UserID(1), to: UserID(2), amountFen: 101, idempotencyKey: "e"), .insufficientFunds),
                // The key check runs before the balance check: a reused key is named even when broke.
                (.transfer(from: UserID(1), to: UserID(2), amountFen: 101, idempotencyKey: "top"), .idempotencyKeyReused),
            ]
            for (request, error) in cases { #expect(try await wallet.transfer(request) == .rejected(error)) }
            #expect(try await wallet.balanceFen(of: .user(UserID(1))) == 100)
            // A refused key was not consumed: the same key can still commit.
            let retry = TransferRequest.transfer(from: UserID(1), to: UserID(2), amountFen: 100, idempotencyKey: "e")
            #expect(try await wallet.transfer(retry).code == "ok")
            #expect(try await wallet.verify().isConsistent)
        }
    }

    @Test("a batch checks each request on its own, against the balances of the requests before it")
    func batch() async throws {
        try await PostgresTestDatabase.withNodes(1) { clients in
            let wallet = try await WalletService.onPostgres(client: clients[0])
            try await PostgresTestDatabase.insertUsers([1, 2], on: clients[0])
            try await wallet.openAccounts(for: [UserID(1), UserID(2)])
            let requests: [TransferRequest] = [
                .topUp(UserID(1), amountFen: 300, idempotencyKey: "t"),
                .transfer(from: UserID(1), to: UserID(2), amountFen: 200, idempotencyKey: "x"),
                .transfer(from: UserID(1), to: UserID(2), amountFen: 200, idempotencyKey: "y"),
                .transfer(from: UserID(1), to: UserID(2), amountFen: 200, idempotencyKey: "x"),
                .transfer(from: UserID(2), to: UserID(1), amountFen: 50, idempotencyKey: "z"),
            ]
            let codes = try await wallet.transferBatch(requests).map { try $0.get().code }
            #expect(codes == ["ok", "ok", "insufficient_funds", "replayed", "ok"])
            #expect(try await wallet.balanceFen(of: .user(UserID(1))) == 150)
            #expect(try await wallet.balanceFen(of: .user(UserID(2))) == 150)
            #expect(try await wallet.verify().isConsistent)
        }
    }

    @Test("migrations run once and the schema refuses negative balances and edits of the ledger")
    func schemaGuards() async throws {
        try await PostgresTestDatabase.withNodes(1) { clients in
            let client = clients[0]
            let logger = PostgresTestDatabase.logger
            #expect(try await PostgresMigrations.migrate(client, logger: logger).isEmpty)
            let wallet = try await WalletService.onPostgres(client: client)
            try await PostgresTestDatabase.insertUsers([1, 2], on: client)
            try await wallet.openAccounts(for: [UserID(1), UserID(2)])
            #expect(try await wallet.topUp(UserID(1), amountFen: 10, idempotencyKey: "t").code == "ok")
            await #expect(throws: PSQLError.self) {
                try await client.query("UPDATE ledger_accounts SET balance_fen = -1 WHERE id = 1", logger: logger)
            }
            await #expect(throws: PSQLError.self) {
                try await client.query("UPDATE ledger_entries SET amount_fen = 1", logger: logger)
            }
            await #expect(throws: PSQLError.self) { try await client.query("DELETE FROM ledger_transfers", logger: logger) }
            await #expect(throws: PSQLError.self) { try await client.query("TRUNCATE ledger_entries CASCADE", logger: logger) }
            #expect(try await wallet.verify().isConsistent)
        }
    }

    @Test("verify names a stored balance that disagrees with the entries")
    func verifyFindsMismatch() async throws {
        try await PostgresTestDatabase.withNodes(1) { clients in
            let wallet = try await WalletService.onPostgres(client: clients[0])
            try await PostgresTestDatabase.insertUsers([1], on: clients[0])
            try await wallet.openAccounts(for: [UserID(1)])
            #expect(try await wallet.topUp(UserID(1), amountFen: 10, idempotencyKey: "t").code == "ok")
            // Balances are the one mutable ledger column; a bug there must not go unnoticed.
            try await clients[0].query(
                "UPDATE ledger_accounts SET balance_fen = 11 WHERE id = 1", logger: PostgresTestDatabase.logger)
            let report = try await wallet.verify()
            #expect(report.problems.contains(.balanceMismatch(account: .user(UserID(1)), storedFen: 11, entriesFen: 10)))
            #expect(report.problems.contains(.systemNotZero(sumFen: 1)))
        }
    }
}
