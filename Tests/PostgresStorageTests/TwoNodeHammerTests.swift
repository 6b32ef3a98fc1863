@_spi(LedgerStore) import Service
import Core
import Ledger
import PostgresNIO
@_spi(LedgerStore) import PostgresStorage
import Synchronization
import Testing

/// Two wallets on `PostgresLedgerStore`s on separate connection pools stand for two service nodes sharing one
/// database: transfers hammered through both at once must keep every ledger guarantee.
@Suite("PostgreSQL wallet on two nodes", PostgresTestDatabase.available)
struct TwoNodeHammerTests {
    static let userCount: Int64 = 40
    static let initialBalanceFen: Int64 = 100_000
    /// Callers per node: more than its pool (8 connections) so every connection stays busy.
    static let callersPerNode = 16
    static let transfersPerPhase = 1_500
    static let racedKeys = 200

    @Test("hammered from two nodes: verify passes, money is conserved, every acknowledged transfer is present, keys replay across nodes")
    func hammer() async throws {
        try await PostgresTestDatabase.withNodes(2) { clients in
            let nodeA = try await WalletService.onPostgres(client: clients[0])
            let nodeB = try await WalletService.onPostgres(client: clients[1])
            let users = (1...Self.userCount).map(UserID.init(rawValue:))
            try await PostgresTestDatabase.insertUsers(users.map(\.rawValue), on: clients[0])
            try await nodeA.openAccounts(for: users)
            for user in users {
                let result = try await nodeB.topUp(user, amountFen: Self.initialBalanceFen, idempotencyKey: "initial")
                #expect(result.code == "ok")
            }
            let acknowledged = Acknowledged()

            let oneNode = try await Self.run(range: 0..<Self.transfersPerPhase, nodes: [nodeA], acknowledged: acknowledged)
            let twoNodes = try await Self.run(
                range: Self.transfersPerPhase..<(2 * Self.transfersPerPhase), nodes: [nodeA, nodeB], acknowledged: acknowledged)
            // The figures for the bench note (debug build, one 2-core machine, fsync on).
            print("hammer: one node \(Int(oneNode)) transfers/s, two nodes \(Int(twoNodes)) transfers/s")

            // Every acknowledged request replays through the other node with its original receipt.
            for (index, receipt) in acknowledged.receipts.withLock({ $0 }).enumerated() where index % 10 == 0 {
                let request = TransferRequest.transfer(
                    from: try #require(receipt.debit.userID), to: try #require(receipt.credit.userID),
                    amountFen: receipt.amountFen, idempotencyKey: try #require(receipt.idempotencyKey))
                #expect(try await nodeB.transfer(request) == .replayed(receipt))
                #expect(try await nodeA.receipt(ofTransfer: receipt.transferID) == receipt)
            }

            try await Self.raceKeys(nodeA, nodeB, acknowledged: acknowledged)
            // More callers than batches in flight: each node's requests queued and shared transactions.
            for node in [nodeA, nodeB] {
                let statistics = try #require(await node.groupCommitStatistics())
                #expect(statistics.largestBatch > 1 && statistics.batchCount < statistics.requestCount, "\(statistics)")
            }

            let report = try await nodeB.verify()
            #expect(report.isConsistent, "\(report.problems.prefix(5))")
            let receipts = acknowledged.receipts.withLock { $0 }
            #expect(report.transferCount == receipts.count + users.count)
            #expect(report.moneyInSystemFen == Self.userCount * Self.initialBalanceFen)
            var balancesFen: Int64 = 0
            for user in users { balancesFen += try await nodeA.balanceFen(of: .user(user)) ?? 0 }
            #expect(balancesFen == Self.userCount * Self.initialBalanceFen)
            for receipt in receipts { #expect(try await nodeB.receipt(ofTransfer: receipt.transferID) == receipt) }
        }
    }

    /// The `index`-th transfer: random users and amount from a fixed seed, so a failure reruns.
    static func request(_ index: Int, amountFen: Int64? = nil) -> TransferRequest {
        var random = SeededGenerator(seed: 0xC0FFEE ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        let from = random.next(in: 1...userCount)
        let to = (from - 1 + random.next(in: 1...(userCount - 1))) % userCount + 1
        return .transfer(
            from: UserID(from), to: UserID(to), amountFen: amountFen ?? random.next(in: 1...5_000),
            idempotencyKey: "hammer-\(index)")
    }

    /// Sends `range`'s transfers from `callersPerNode` callers on each node; returns acknowledged
    /// (committed) transfers per second.
    static func run(range: Range<Int>, nodes: [WalletService], acknowledged: Acknowledged) async throws -> Double {
        let next = Ticket(range.lowerBound)
        let start = ContinuousClock.now
        let committed = try await withThrowingTaskGroup(of: Int.self) { group in
            for node in nodes {
                for _ in 0..<callersPerNode {
                    group.addTask {
                        var committed = 0
                        while true {
                            let index = next.counter.add(1, ordering: .relaxed).oldValue
                            guard index < range.upperBound else { break }
                            let result = try await node.transfer(request(index))
                            #expect(result.code == "ok" || result.code == "insufficient_funds", "\(result)")
                            if case .committed(let receipt) = result {
                                acknowledged.receipts.withLock { $0.append(receipt) }
                                committed += 1
                            }
                        }
                        return committed
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = (ContinuousClock.now - start) / .milliseconds(1)
        return Double(committed) / (elapsed / 1_000)
    }

    /// The same keys sent through both nodes at the same moment: one node commits, the other
    /// replays it; with a different amount on each node, one commits and the other is refused.
    static func raceKeys(_ nodeA: WalletService, _ nodeB: WalletService, acknowledged: Acknowledged) async throws {
        let base = 1_000_000
        try await withThrowingTaskGroup(of: Void.self) { group in
            for offset in 0..<racedKeys {
                group.addTask {
                    let index = base + offset
                    let same = offset % 2 == 0
                    async let a = nodeA.transfer(request(index, amountFen: 7))
                    async let b = nodeB.transfer(request(index, amountFen: same ? 7 : 8))
                    let results = try await [a, b]
                    let committed = results.compactMap { if case .committed(let receipt) = $0 { receipt } else { nil } }
                    #expect(committed.count == 1, "\(results)")
                    if same {
                        #expect(results.contains(.replayed(committed[0])), "\(results)")
                    } else {
                        #expect(results.contains(.rejected(.idempotencyKeyReused)), "\(results)")
                    }
                    acknowledged.receipts.withLock { $0.append(contentsOf: committed) }
                }
            }
            try await group.waitForAll()
        }
    }
}

/// Receipts acknowledged to callers, appended from many tasks (a `Mutex` cannot be captured).
final class Acknowledged: Sendable {
    let receipts = Mutex<[TransferReceipt]>([])
}

/// Hands out consecutive indices to concurrent callers.
final class Ticket: Sendable {
    let counter: Atomic<Int>
    init(_ first: Int) { counter = Atomic(first) }
}
