import Core
import Ledger
@_spi(LedgerStore) @testable import Service
@_spi(LedgerStore) import SQLiteStorage
@_spi(LedgerStore) import StorageModel
import Testing

@Suite("Wallet under concurrency")
struct WalletHammerTests {
    static let userCount = 20
    static let taskCount = 32
    static let transfersPerTask = 40

    /// Many tasks transfer at random between a few accounts (so overdrafts happen), in both
    /// commit modes; every acknowledged transfer is readable at once, money is conserved and
    /// verify passes.
    @Test(
        "many concurrent random transfers conserve money and verify clean",
        arguments: [TransferCommitMode.default, .transactionPerTransfer])
    func hammer(mode: TransferCommitMode) async throws {
        let fixture = try await WalletFixture(userCount: Self.userCount, commitMode: mode)
        defer { fixture.remove() }
        for user in 1...Int64(Self.userCount) { try await fixture.fund(UserID(user), 500) }
        let wallet = fixture.wallet
        let codes = try await withThrowingTaskGroup(of: [String].self) { group in
            for task in 0..<Self.taskCount {
                group.addTask {
                    var random = SeededGenerator(seed: UInt64(task))
                    var codes: [String] = []
                    for index in 0..<Self.transfersPerTask {
                        let from = random.next(in: 1...Int64(Self.userCount))
                        let to = (from % Int64(Self.userCount)) + 1
                        let result = try await wallet.transfer(
                            from: UserID(from), to: UserID(to), amountFen: random.next(in: 1...300),
                            idempotencyKey: "hammer-\(task)-\(index)")
                        if let receipt = result.receipt {
                            // Acknowledged means committed: any other connection sees it now.
                            #expect(try await wallet.receipt(ofTransfer: receipt.transferID) == receipt)
                        }
                        codes.append(result.code)
                    }
                    return codes
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(codes.count == Self.taskCount * Self.transfersPerTask)
        #expect(Set(codes).isSubset(of: ["ok", "insufficient_funds"]))
        #expect(codes.contains("ok"))
        let report = try await wallet.verify()
        #expect(report.isConsistent, "\(report.problems)")
        #expect(report.moneyInSystemFen == 500 * Int64(Self.userCount))
        #expect(report.transferCount == Self.userCount + codes.filter { $0 == "ok" }.count)
    }

    @Test("group commit shares transactions between concurrent callers")
    func batches() async throws {
        let fixture = try await WalletFixture(userCount: 2)
        defer { fixture.remove() }
        try await fixture.fund(UserID(1), 1_000_000)
        let wallet = fixture.wallet
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<400 {
                group.addTask {
                    _ = try await wallet.transfer(from: UserID(1), to: UserID(2), amountFen: 1, idempotencyKey: "b-\(index)")
                }
            }
            try await group.waitForAll()
        }
        let statistics = try #require(await wallet.groupCommitStatistics())
        #expect(statistics.requestCount == 401)
        #expect(statistics.batchCount < statistics.requestCount / 2, "\(statistics)")
        #expect(statistics.largestBatch <= GroupCommitPolicy.default.batchSizeMax)
        #expect(try await fixture.balance(2) == 400)
    }

    @Test("a batch never exceeds its bound, and lingering for more requests still answers everyone")
    func boundedBatches() async throws {
        let policy = GroupCommitPolicy(batchSizeMax: 8, batchWaitMax: .milliseconds(2))
        let fixture = try await WalletFixture(userCount: 2, commitMode: .groupCommit(policy))
        defer { fixture.remove() }
        try await fixture.fund(UserID(1), 1_000)
        let wallet = fixture.wallet
        let codes = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<40 {
                group.addTask {
                    try await wallet.transfer(from: UserID(1), to: UserID(2), amountFen: 1, idempotencyKey: "w-\(index)").code
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(codes == Array(repeating: "ok", count: 40))
        let statistics = try #require(await wallet.groupCommitStatistics())
        #expect(statistics.largestBatch <= 8 && statistics.batchCount >= 6)
    }

    @Test("a full queue sheds load at once: the refused callers are told, and nothing of theirs moves")
    func overload() async throws {
        // The writer lingers 200 ms on its first request, so the queue (2 deep) fills behind it.
        let policy = GroupCommitPolicy(batchSizeMax: 2, batchWaitMax: .milliseconds(200), queueDepthMax: 2)
        let fixture = try await WalletFixture(userCount: 2, commitMode: .groupCommit(policy))
        defer { fixture.remove() }
        try await fixture.fund(UserID(1), 1_000)
        let wallet = fixture.wallet
        let codes = await withTaskGroup(of: String.self) { group in
            for index in 0..<10 {
                group.addTask {
                    do {
                        return try await wallet.transfer(from: UserID(1), to: UserID(2), amountFen: 1, idempotencyKey: "o-\(index)").code
                    } catch is WalletOverloaded {
                        return "overloaded"
                    } catch {
                        return "error"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        let committed = codes.filter { $0 == "ok" }.count
        #expect(committed >= 2 && codes.contains("overloaded"))
        #expect(codes.filter { $0 == "overloaded" }.count == 10 - committed)
        #expect(try await fixture.balance(2) == Int64(committed))
    }
}
