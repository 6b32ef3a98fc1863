@_spi(LedgerStore) @testable import Service
import Core
import Ledger
import PostgresNIO
@_spi(LedgerStore) import PostgresStorage
@_spi(LedgerStore) import StorageModel
import Testing

/// The PostgreSQL wallet's group committer: concurrent requests of one node share a
/// transaction, and each still gets the outcome it would have had alone.
@Suite("PostgreSQL group commit", PostgresTestDatabase.available)
struct PostgresGroupCommitTests {
    /// Holds the first request of a batch long enough for the test's concurrent requests to join
    /// it, so that the batch's makeup does not depend on scheduling.
    static func lingering(batchSizeMax: Int, queueDepthMax: Int? = nil, batchesInFlightMax: Int = 1) -> TransferCommitMode {
        .groupCommit(
            GroupCommitPolicy(
                batchSizeMax: batchSizeMax, batchWaitMax: .milliseconds(300), queueDepthMax: queueDepthMax ?? batchSizeMax,
                batchesInFlightMax: batchesInFlightMax))
    }

    /// Users `1...count` with open accounts, each topped up with `fundFen` (when positive).
    static func users(_ count: Int64, fundFen: Int64, wallet: WalletService, client: PostgresClient) async throws -> [UserID] {
        let users = (1...count).map(UserID.init(rawValue:))
        try await PostgresTestDatabase.insertUsers(users.map(\.rawValue), on: client)
        try await wallet.openAccounts(for: users)
        if fundFen > 0 {
            let funding = await wallet.transferBatch(users.map { .topUp($0, amountFen: fundFen, idempotencyKey: "fund") })
            for result in funding { #expect(try result.get().code == "ok") }
        }
        return users
    }

    /// Sends `requests` all at once; results in request order (a thrown error as `.failure`).
    static func concurrently(_ requests: [TransferRequest], on wallets: [WalletService]) async -> [Result<TransferResult, any Error>] {
        await withTaskGroup(of: (Int, Result<TransferResult, any Error>).self) { group in
            for (index, request) in requests.enumerated() {
                let wallet = wallets[index % wallets.count]
                group.addTask {
                    do { return (index, .success(try await wallet.transfer(request))) } catch { return (index, .failure(error)) }
                }
            }
            var results = [Result<TransferResult, any Error>?](repeating: nil, count: requests.count)
            for await (index, result) in group { results[index] = result }
            return results.map { $0! }
        }
    }

    @Test("concurrent transfers are committed in shared batches, each acknowledged with its own receipt")
    func batchesForm() async throws {
        try await PostgresTestDatabase.withNodes(1) { clients in
            let wallet = try await WalletService.onPostgres(client: clients[0], commitMode: Self.lingering(batchSizeMax: 64))
            let users = try await Self.users(48, fundFen: 1_000, wallet: wallet, client: clients[0])
            let requests = users.indices.map { index in
                TransferRequest.transfer(from: users[index], to: users[(index + 1) % users.count], amountFen: 10 + Int64(index), idempotencyKey: "ring")
            }
            let results = try await Self.concurrently(requests, on: [wallet]).map { try $0.get() }
            #expect(results.allSatisfy { $0.code == "ok" })
            #expect(Set(results.compactMap(\.receipt?.transferID)).count == requests.count)

            let statistics = try #require(await wallet.groupCommitStatistics())
            #expect(statistics.requestCount == requests.count)
            #expect(statistics.batchCount < requests.count)
            #expect(statistics.largestBatch > 1)
            for (index, user) in users.enumerated() {
                let sentFen = 10 + Int64(index)
                let receivedFen = 10 + Int64((index + users.count - 1) % users.count)
                #expect(try await wallet.balanceFen(of: user) == 1_000 - sentFen + receivedFen)
            }
            #expect(try await wallet.verify().isConsistent)
        }
    }

    @Test("in one batch an overdraft, a replay, a reused key, twins and a good transfer each get their own result")
    func mixedBatch() async throws {
        try await PostgresTestDatabase.withNodes(1) { clients in
            let wallet = try await WalletService.onPostgres(client: clients[0], commitMode: Self.lingering(batchSizeMax: 8))
            let users = try await Self.users(4, fundFen: 0, wallet: wallet, client: clients[0])
            #expect(try await wallet.topUp(users[0], amountFen: 1_000, idempotencyKey: "fund").code == "ok")
            let paid = TransferRequest.transfer(from: users[0], to: users[1], amountFen: 100, idempotencyKey: "paid")
            let firstReceipt = try #require(try await wallet.transfer(paid).receipt)
            let batchesBefore = try #require(await wallet.groupCommitStatistics()).batchCount

            let twin = TransferRequest.transfer(from: users[0], to: users[3], amountFen: 50, idempotencyKey: "twin")
            let requests: [TransferRequest] = [
                .transfer(from: users[0], to: users[2], amountFen: 200, idempotencyKey: "good"),
                .transfer(from: users[1], to: users[2], amountFen: 10_000, idempotencyKey: "over"),
                paid,
                .transfer(from: users[0], to: users[1], amountFen: 150, idempotencyKey: "paid"),
                twin, twin,
            ]
            let results = try await Self.concurrently(requests, on: [wallet]).map { try $0.get() }

            let statistics = try #require(await wallet.groupCommitStatistics())
            #expect(statistics.batchCount == batchesBefore + 1, "all six requests shared one transaction")
            #expect(statistics.largestBatch == requests.count)
            #expect(results[0].code == "ok")
            #expect(results[1] == .rejected(.insufficientFunds))
            #expect(results[2] == .replayed(firstReceipt))
            #expect(results[3] == .rejected(.idempotencyKeyReused))
            // Whichever twin the batch met first committed; the other replays its receipt.
            let twinReceipt = try #require(results[4].receipt)
            #expect(Set([results[4], results[5]]) == [.committed(twinReceipt), .replayed(twinReceipt)])

            #expect(try await wallet.balanceFen(of: users[0]) == 1_000 - 100 - 200 - 50)
            #expect(try await wallet.balanceFen(of: users[1]) == 100)
            #expect(try await wallet.balanceFen(of: users[2]) == 200)
            #expect(try await wallet.balanceFen(of: users[3]) == 50)
            let report = try await wallet.verify()
            #expect(report.isConsistent, "\(report.problems)")
            #expect(report.transferCount == 4)
        }
    }

    @Test("a request the database refuses mid-batch fails alone; the rest of its batch commits")
    func failingRequestFailsAlone() async throws {
        try await PostgresTestDatabase.withNodes(1) { clients in
            let wallet = try await WalletService.onPostgres(client: clients[0], commitMode: Self.lingering(batchSizeMax: 4))
            let users = try await Self.users(3, fundFen: 1_000, wallet: wallet, client: clients[0])
            // A fault the Swift checks cannot see: the database refuses transfers of 666 fen.
            try await clients[0].query(
                """
                CREATE TRIGGER refuse_666 BEFORE INSERT ON ledger_transfers FOR EACH ROW
                WHEN (NEW.amount_fen = 666) EXECUTE FUNCTION ledger_refuse_change()
                """, logger: PostgresTestDatabase.logger)
            let requests: [TransferRequest] = [
                .transfer(from: users[0], to: users[1], amountFen: 100, idempotencyKey: "a"),
                .transfer(from: users[1], to: users[2], amountFen: 666, idempotencyKey: "b"),
                .transfer(from: users[2], to: users[0], amountFen: 300, idempotencyKey: "c"),
            ]
            let results = await Self.concurrently(requests, on: [wallet])
            #expect(try results[0].get().code == "ok")
            #expect(throws: PSQLError.self) { try results[1].get() }
            #expect(try results[2].get().code == "ok")
            #expect(try await wallet.balanceFen(of: users[0]) == 1_200)
            #expect(try await wallet.balanceFen(of: users[1]) == 1_100)
            #expect(try await wallet.balanceFen(of: users[2]) == 700)
            // The refused key was not consumed.
            try await clients[0].query("DROP TRIGGER refuse_666 ON ledger_transfers", logger: PostgresTestDatabase.logger)
            #expect(try await wallet.transfer(requests[1]).code == "ok")
            #expect(try await wallet.verify().isConsistent)
        }
    }

    @Test("past queueDepthMax waiting requests the wallet answers WalletOverloaded and moves nothing for them")
    func overloaded() async throws {
        try await PostgresTestDatabase.withNodes(1) { clients in
            let wallet = try await WalletService.onPostgres(client: clients[0], commitMode: Self.lingering(batchSizeMax: 2, queueDepthMax: 2))
            let users = try await Self.users(2, fundFen: 1_000, wallet: wallet, client: clients[0])
            let requests = (0..<8).map { TransferRequest.transfer(from: users[0], to: users[1], amountFen: 1, idempotencyKey: "k\($0)") }
            let results = await Self.concurrently(requests, on: [wallet])
            let overloaded = results.filter { if case .failure(let error) = $0 { error is WalletOverloaded } else { false } }.count
            let committed = results.filter { (try? $0.get().code) == "ok" }.count
            #expect(overloaded > 0)
            #expect(committed + overloaded == requests.count)
            #expect(try await wallet.balanceFen(of: users[1]) == 1_000 + Int64(committed))
            #expect(try await wallet.verify().isConsistent)
        }
    }

    @Test("a batch writes transfers and entries in the order it applied them, so a chain within it verifies")
    func chainWithinBatch() async throws {
        try await PostgresTestDatabase.withNodes(1) { clients in
            let wallet = try await WalletService.onPostgres(client: clients[0])
            let users = try await Self.users(3, fundFen: 0, wallet: wallet, client: clients[0])
            let requests: [TransferRequest] = [
                .topUp(users[0], amountFen: 300, idempotencyKey: "t"),
                .transfer(from: users[0], to: users[1], amountFen: 300, idempotencyKey: "x"),
                .tip(from: users[1], to: users[2], postID: 42, amountFen: 300, idempotencyKey: "y"),
            ]
            let receipts = try await wallet.submitBatch(requests).map { try #require(try $0.get().receipt) }
            #expect(receipts.map(\.transferID) == receipts.map(\.transferID).sorted())
            #expect(receipts[2].postID == 42 && receipts[1].postID == nil)
            for (receipt, request) in zip(receipts, requests) {
                #expect(try await wallet.receipt(ofTransfer: receipt.transferID) == receipt)
                #expect(receipt.debit == request.debit && receipt.credit == request.credit)
            }
            // Entries in id order: each transfer's debit, then its credit, transfer by transfer.
            let entries = try await clients[0].query(
                "SELECT transfer_id, account_id, amount_fen FROM ledger_entries ORDER BY id", logger: PostgresTestDatabase.logger)
            var rows: [[Int64]] = []
            for try await (transferID, accountID, amountFen) in entries.decode((Int64, Int64, Int64).self) {
                rows.append([transferID, accountID, amountFen])
            }
            #expect(rows == receipts.flatMap { [[$0.transferID, $0.debit.rawValue, -300], [$0.transferID, $0.credit.rawValue, 300]] })
            let report = try await wallet.verify()
            #expect(report.isConsistent, "\(report.problems)")
        }
    }

    @Test("two nodes batching the same keys at once apply each key once: the twin replays or is refused")
    func sharedKeysAcrossNodes() async throws {
        try await PostgresTestDatabase.withNodes(2) { clients in
            let nodes = [
                try await WalletService.onPostgres(client: clients[0], commitMode: Self.lingering(batchSizeMax: 64, batchesInFlightMax: 2)),
                try await WalletService.onPostgres(client: clients[1], commitMode: Self.lingering(batchSizeMax: 64, batchesInFlightMax: 2)),
            ]
            let users = try await Self.users(8, fundFen: 10_000, wallet: nodes[0], client: clients[0])
            let keyCount = 40
            // Each key is sent to both nodes (concurrently assigns request i to node i % 2); odd
            // keys carry a different amount on the second node.
            let requests = (0..<keyCount).flatMap { key in
                let from = users[key % users.count]
                let to = users[(key + 1) % users.count]
                return [
                    TransferRequest.transfer(from: from, to: to, amountFen: 7, idempotencyKey: "shared-\(key)"),
                    TransferRequest.transfer(from: from, to: to, amountFen: key % 2 == 0 ? 7 : 8, idempotencyKey: "shared-\(key)"),
                ]
            }
            let results = try await Self.concurrently(requests, on: nodes).map { try $0.get() }
            for key in 0..<keyCount {
                let pair = [results[2 * key], results[2 * key + 1]]
                let committed = pair.compactMap { if case .committed(let receipt) = $0 { receipt } else { nil } }
                #expect(committed.count == 1, "\(pair)")
                guard let receipt = committed.first else { continue }
                let other: TransferResult = key % 2 == 0 ? .replayed(receipt) : .rejected(.idempotencyKeyReused)
                #expect(pair.contains(other), "\(pair)")
            }
            for node in nodes { #expect(try #require(await node.groupCommitStatistics()).largestBatch > 1) }
            let report = try await nodes[1].verify()
            #expect(report.isConsistent, "\(report.problems)")
            #expect(report.transferCount == users.count + keyCount)
            var totalFen: Int64 = 0
            for user in users { totalFen += try await nodes[0].balanceFen(of: user) ?? 0 }
            #expect(totalFen == Int64(users.count) * 10_000)
        }
    }
}
