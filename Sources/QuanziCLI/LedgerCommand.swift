import ArgumentParser
import Core
import Foundation
import Ledger
import Logging
@_spi(LedgerStore) import PostgresStorage
@_spi(LedgerStore) import Service
@_spi(LedgerStore) import SQLiteStorage
@_spi(LedgerStore) import StorageModel

struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "The wallet's double-entry ledger: verify it, refund expired red packets, or load it with transfers.",
        subcommands: [LedgerVerify.self, LedgerExpire.self, LedgerLoad.self])

    /// The wallet of `db` (a SQLite file or a postgres:// URL) for `body`, closed afterwards.
    static func withWallet<T>(db: String, _ body: (WalletService) async throws -> T) async throws -> T {
        guard PostgresURL.isPostgres(db) else {
            let store = try SQLiteLedgerStore(database: try QuanziDatabase(path: db))
            return try await body(WalletService.standalone(store: store, commitMode: .transactionPerTransfer))
        }
        var logger = Logger(label: "quanzi.postgres")
        logger.logLevel = .error
        let backend: PostgresBackend
        do {
            backend = try await PostgresBackend.open(url: db, logger: logger)
        } catch {
            Console.error("\(PostgresURL.redacted(db)): cannot open the database: \(error)")
            throw ExitCode(1)
        }
        defer { try? backend.close() }
        return try await body(
            WalletService.standalone(
                store: try backend.makeLedgerStore(), limits: backend.ledgerLimits, commitMode: backend.transferCommitMode))
    }
}

struct LedgerVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Replay every entry and prove the ledger consistent.",
        discussion: """
            Each balance equals the sum of its entries, every transfer balances, the system sums to \
            zero, nothing is negative where it may not be, red-packet escrow matches unclaimed \
            shares, and no red packet has expired without its remainder going back to its sender \
            (`quanzi ledger expire` refunds those; `quanzi serve` sweeps every minute). Exits 1 \
            listing the offending rows otherwise. --acknowledged FILE also checks that every transfer id in FILE (one per line) is present. --db takes a SQLite file or a \
            postgres:// URL.
            """)

    @Option(name: .long, help: "The database: a SQLite file, or postgres://user@host[:port]/database.") var db = QuanziDatabase.defaultPath
    @Option(help: "File of acknowledged transfer ids that must all be present.") var acknowledged: String?

    func run() async throws {
        try await LedgerCommand.withWallet(db: db) { wallet in try await verify(wallet) }
    }

    private func verify(_ wallet: WalletService) async throws {
        let report = try await wallet.verify()
        print(report.summary)
        for problem in report.problems { Console.error(problem.description) }
        var missing = 0
        if let acknowledged {
            guard let text = try? String(contentsOfFile: acknowledged, encoding: .utf8) else {
                Console.error("\(acknowledged): cannot read the file")
                throw ExitCode(1)
            }
            let ids = text.split(whereSeparator: \.isNewline).compactMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
            for id in ids where try await wallet.receipt(ofTransfer: id) == nil {
                missing += 1
                if missing <= 20 { Console.error("acknowledged transfer \(id) is missing") }
            }
            print("\(ids.count - missing) of \(ids.count) acknowledged transfers present")
        }
        if !report.isConsistent || missing > 0 { throw ExitCode(1) }
    }
}

struct LedgerExpire: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expire",
        abstract: "Refund the unclaimed shares of expired red packets to their senders, now.",
        discussion: """
            What `quanzi serve` does on a schedule (--expiry-sweep-interval-seconds), by hand: each \
            red packet past its lifetime and not yet settled gets one transfer from escrow back to \
            its sender and a redpacket.refunded event. Prints one line per refund and a total. Safe \
            to run while servers run, and again: a packet is refunded once. --db takes a SQLite \
            file or a postgres:// URL.
            """)

    @Option(name: .long, help: "The database: a SQLite file, or postgres://user@host[:port]/database.") var db = QuanziDatabase.defaultPath

    func run() async throws {
        try await LedgerCommand.withWallet(db: db) { wallet in
            let sweeper = RedPacketExpirySweeper(wallet: wallet)
            var (packetCount, refundedFen): (Int, Int64) = (0, 0)
            var sweep: RedPacketSweep
            repeat {
                sweep = try await sweeper.sweepOnce()
                for refund in sweep.refunds {
                    print("red packet \(refund.redPacketID.rawValue): \(refund.amountFen) fen back to user \(refund.sender.rawValue) "
                        + "(transfer \(refund.transferID))")
                }
                packetCount += sweep.refunds.count
                refundedFen += sweep.refundedFen
            } while !sweep.isComplete
            print("\(packetCount) expired red packet\(packetCount == 1 ? "" : "s") refunded, \(refundedFen) fen back to senders")
        }
    }
}

struct LedgerLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Run concurrent transfers against a database (benchmarks and the crash test).",
        discussion: "Prints each acknowledged (durable) transfer id with --print-acks, as soon as it is acknowledged.")

    enum Commit: String, ExpressibleByArgument { case group, single }

    @Option(name: .long, help: "The database file.") var db = QuanziDatabase.defaultPath
    @Option(help: "Transfers to make.") var transfers = 10_000
    @Option(help: "Users taking part (created when missing).") var users = 100
    @Option(help: "Concurrent callers.") var concurrency = 64
    @Option(help: "Random seed (part of the idempotency keys).") var seed: UInt64 = 1
    @Option(help: "group: batched into one fsync; single: one transaction per transfer.") var commit: Commit = .group
    @Flag(help: "Print each acknowledged transfer id on stdout.") var printAcks = false

    func validate() throws {
        if let problem = WalletLoad.Options(transferCount: transfers, userCount: users, concurrency: concurrency, seed: seed).problem {
            throw ValidationError(problem)
        }
    }

    func run() async throws {
        try GlobalOptions.requireSQLite(db, command: "ledger load", why: "the load creates its users and measures the embedded wallet's group commit")
        let database = try QuanziDatabase(path: db)
        let store = try SQLiteLedgerStore(database: database)
        let wallet = WalletService.standalone(store: store, commitMode: commit == .group ? .default : .transactionPerTransfer)
        let options = WalletLoad.Options(transferCount: transfers, userCount: users, concurrency: concurrency, seed: seed)
        let printAcks = self.printAcks
        let summary = try await WalletLoad.run(wallet: wallet, options: options, insertUsers: store.insertLoadUsers) { receipt in
            // One write per line, unbuffered: a line on stdout means the transfer was durable.
            if printAcks { FileHandle.standardOutput.write(Data("\(receipt.transferID)\n".utf8)) }
        }
        let acknowledged = (summary.resultCounts["ok"] ?? 0) + (summary.resultCounts["replayed"] ?? 0)
        Console.error("\(acknowledged) transfers acknowledged in \(String(format: "%.2f", summary.elapsedSeconds)) s "
            + "(\(summary.resultCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))), "
            + "\(Int(summary.acknowledgedPerSecond)) durable transfers/s")
    }
}
