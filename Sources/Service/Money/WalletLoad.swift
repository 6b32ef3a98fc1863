import Core
import StorageModel
import Foundation
import Ledger
import Synchronization

/// A seeded transfer load for crash tests and benchmarks: `userCount` load users (ids
/// `1...userCount`, created if missing and funded once), then `transferCount` random transfers
/// from `concurrency` concurrent callers through the wallet's commit mode.
///
/// Meant for a scratch database: it refuses to touch users it did not create.
public enum WalletLoad {
    /// What to run.
    public struct Options: Sendable, Hashable {
        public var transferCount: Int
        public var userCount: Int
        public var concurrency: Int
        /// Picks senders, receivers and amounts; the idempotency keys include it, so runs with
        /// different seeds add new transfers and a rerun with the same seed replays.
        public var seed: UInt64
        /// What each load user is topped up with, once.
        public var initialBalanceFen: Int64
        /// Amounts are uniform in `1...amountMaxFen`.
        public var amountMaxFen: Int64

        public init(
            transferCount: Int, userCount: Int = 100, concurrency: Int = 64, seed: UInt64 = 1,
            initialBalanceFen: Int64 = 1_000_000, amountMaxFen: Int64 = 1_000
        ) {
            self.transferCount = transferCount
            self.userCount = userCount
            self.concurrency = concurrency
            self.seed = seed
            self.initialBalanceFen = initialBalanceFen
            self.amountMaxFen = amountMaxFen
        }

        /// Bounds that keep a run meaningful: at least two users, one caller, 1 fen amounts.
        public var problem: String? {
            if transferCount < 0 { return "transfer count must not be negative" }
            if userCount < 2 { return "the load needs at least 2 users" }
            if concurrency < 1 { return "concurrency must be at least 1" }
            if amountMaxFen < 1 || initialBalanceFen < 1 { return "amounts must be positive" }
            return nil
        }
    }

    /// What a run did.
    public struct Summary: Sendable, Hashable {
        /// How many requests ended with each result code (`ok`, `replayed`, `insufficient_funds`…).
        public var resultCounts: [String: Int]
        public var elapsedSeconds: Double
        /// Durable transfers (committed or replayed) per second.
        public var acknowledgedPerSecond: Double {
            let acknowledged = (resultCounts["ok"] ?? 0) + (resultCounts["replayed"] ?? 0)
            return elapsedSeconds > 0 ? Double(acknowledged) / elapsedSeconds : 0
        }
    }

    /// Creates the load users that are missing (a backend's `insertLoadUsers`, which refuses to
    /// touch users a load did not create).
    public typealias InsertUsers = @Sendable (_ users: [UserID], _ now: Int64) async throws -> Void

    /// Creates and funds the load users (idempotent: a second call replays the top-ups).
    public static func prepare(wallet: WalletService, options: Options, insertUsers: InsertUsers) async throws {
        let users = (1...Int64(options.userCount)).map(UserID.init(rawValue:))
        try await insertUsers(users, wallet.clock.nowEpochSeconds)
        try await wallet.openAccounts(for: users)
        let topUps = users.map { TransferRequest.topUp($0, amountFen: options.initialBalanceFen, idempotencyKey: "load-initial") }
        for outcome in await wallet.transferBatch(topUps) {
            if let error = try outcome.get().error { throw error }
        }
    }

    /// Prepares, then runs the transfers. `onAcknowledged` is called once per durable transfer,
    /// after the wallet returned it (so after its commit), from any of the callers' tasks.
    public static func run(
        wallet: WalletService, options: Options, insertUsers: InsertUsers,
        onAcknowledged: @escaping @Sendable (TransferReceipt) -> Void = { _ in }
    ) async throws -> Summary {
        try await prepare(wallet: wallet, options: options, insertUsers: insertUsers)
        let next = TicketCounter()
        let start = ContinuousClock.now
        let counts = try await withThrowingTaskGroup(of: [String: Int].self) { group in
            for _ in 0..<options.concurrency {
                group.addTask {
                    var counts: [String: Int] = [:]
                    while true {
                        let index = next.take()
                        guard index < options.transferCount else { break }
                        let result = try await wallet.submit(request(index, options: options))
                        counts[result.code, default: 0] += 1
                        if let receipt = result.receipt { onAcknowledged(receipt) }
                    }
                    return counts
                }
            }
            var total: [String: Int] = [:]
            for try await counts in group { total.merge(counts, uniquingKeysWith: +) }
            return total
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Summary(resultCounts: counts, elapsedSeconds: seconds)
    }

    /// The `index`-th transfer of a run: a pure function of the seed and the index.
    public static func request(_ index: Int, options: Options) -> TransferRequest {
        var random = SeededGenerator(seed: options.seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        let users = Int64(options.userCount)
        let from = random.next(in: 1...users)
        let offset = random.next(in: 1...(users - 1))
        let to = (from - 1 + offset) % users + 1
        return .transfer(
            from: UserID(from), to: UserID(to), amountFen: random.next(in: 1...options.amountMaxFen),
            idempotencyKey: "load-\(options.seed)-\(index)")
    }
}

/// Hands out 0, 1, 2… to concurrent callers (an `Atomic` cannot be captured by tasks directly).
private final class TicketCounter: Sendable {
    private let next = Atomic<Int>(0)
    func take() -> Int { next.add(1, ordering: .relaxed).oldValue }
}
