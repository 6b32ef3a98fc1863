@_spi(LedgerStore) import Service
import Core
import Foundation
import GRDB
import Ledger
import NIOPosix
import PostgresNIO
@testable import PostgresStorage
@_spi(LedgerStore) @testable import SQLiteStorage
import Testing

/// The backends a contract test runs on: SQLite always, PostgreSQL when `QUANZI_PG_URL` is set
/// (`make test-pg`). A test body is written once and runs against each.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    static var available: [Backend] { PostgresTestDatabase.url == nil ? [.sqlite] : allCases }

    var testDescription: String { rawValue }

    static let startEpochSeconds: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z

    /// Runs the synchronous `body` on a thread that may block (never on Swift's cooperative
    /// pool), as the server runs storage calls.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}

/// Everything a refused request must leave untouched.
struct LedgerSnapshot: Equatable, Sendable {
    var balances: [String]
    var transferCount: Int
    var entryCount: Int
    var eventCount: Int
    var redPacketCount: Int
}

/// A wallet over a fresh database, with load users `1...userCount` (accounts open) and a
/// manual clock, on either backend.
struct WalletBackend: Sendable {
    let wallet: WalletService
    let clock: ManualClock
    /// Runs a read-only SQL query returning one Int64 per row (the schemas share table names).
    let int64s: @Sendable (String) async throws -> [Int64]
    let strings: @Sendable (String) async throws -> [String]
    /// Runs a writing SQL statement behind the wallet's back (to test what verify notices).
    let execute: @Sendable (String) async throws -> Void

    func fund(_ user: UserID, _ amountFen: Int64) async throws {
        let result = try await wallet.topUp(user, amountFen: amountFen, idempotencyKey: "fund-\(UUID().uuidString)")
        guard case .committed = result else { throw result.error ?? LedgerError.accountNotFound }
    }

    func balance(_ user: Int64) async throws -> Int64? { try await wallet.balanceFen(of: UserID(user)) }

    func snapshot() async throws -> LedgerSnapshot {
        LedgerSnapshot(
            balances: try await strings("SELECT id || '=' || balance_fen FROM ledger_accounts ORDER BY id"),
            transferCount: Int(try await int64s("SELECT count(*) FROM ledger_transfers")[0]),
            entryCount: Int(try await int64s("SELECT count(*) FROM ledger_entries")[0]),
            eventCount: Int(try await int64s("SELECT count(*) FROM events")[0]),
            redPacketCount: Int(try await int64s("SELECT count(*) FROM red_packets")[0]))
    }

    func eventKinds() async throws -> [String] { try await strings("SELECT kind FROM events ORDER BY id") }
}

extension Backend {
    func withWallet<T: Sendable>(
        userCount: Int = 4, audience: any RedPacketAudienceChecker = ListedUsersOnly(),
        _ body: @Sendable (WalletBackend) async throws -> T
    ) async throws -> T {
        let clock = ManualClock(epochSeconds: Self.startEpochSeconds)
        let users = (1...Int64(userCount)).map(UserID.init(rawValue:))
        switch self {
        case .sqlite:
            let database = try QuanziDatabase.temporary(name: "contract")
            defer { try? database.removeFiles() }
            let wallet = try WalletService.onSQLite(database: database, clock: clock, audience: audience)
            try await SQLiteLedgerStore(database: database).insertLoadUsers(users, at: clock.nowEpochSeconds)
            try await wallet.openAccounts(for: users)
            let backend = WalletBackend(
                wallet: wallet, clock: clock,
                int64s: { sql in try await database.pool.read { db in try Int64.fetchAll(db, sql: sql) } },
                strings: { sql in try await database.pool.read { db in try String.fetchAll(db, sql: sql) } },
                execute: { sql in try await database.pool.write { db in try db.execute(sql: sql) } })
            return try await body(backend)
        case .postgres:
            return try await PostgresTestDatabase.withNodes(1) { clients in
                let client = clients[0]
                let wallet = try await WalletService.onPostgres(client: client, clock: clock, audience: audience, logger: PostgresTestDatabase.logger)
                try await PostgresTestDatabase.insertUsers(users.map(\.rawValue), on: client)
                try await wallet.openAccounts(for: users)
                let backend = WalletBackend(
                    wallet: wallet, clock: clock,
                    int64s: { sql in try await Self.column(sql, Int64.self, client) },
                    strings: { sql in try await Self.column(sql, String.self, client) },
                    execute: { sql in try await client.query(PostgresQuery(unsafeSQL: sql), logger: PostgresTestDatabase.logger) })
                return try await body(backend)
            }
        }
    }

    private static func column<T: PostgresDecodable & Sendable>(_ sql: String, _ type: T.Type, _ client: PostgresClient) async throws -> [T] {
        var values: [T] = []
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: PostgresTestDatabase.logger).decode(type) {
            values.append(value)
        }
        return values
    }
}

/// Every synchronous store over one fresh database, on either backend.
struct StoresBackend: Sendable {
    let users: any UserRepository
    let tokens: any TokenRepository
    let friends: any FriendRepository
    let posts: any PostRepository
    let moderation: any ModerationRepository
    let blocks: any BlockRepository
    let affinities: any AffinityRepository
    let credit: any CreditRepository
    let experiments: any ExperimentRepository
    let metrics: any MetricReading
    let feeds: any FeedReading
    let walletReads: any WalletReading
    let views: any ViewRecording
    /// Runs `body` with the backend's bulk writer, in one transaction.
    let bulkWrite: @Sendable (_ body: (any BulkWriting) throws -> Void) throws -> Void
    /// Runs a read-only SQL query returning one text per row (the schemas share table names).
    let strings: @Sendable (String) throws -> [String]

    func eventKinds() throws -> [String] { try strings("SELECT kind FROM events ORDER BY id") }
}

extension StoresBackend {
    /// Runs synchronous store calls on a thread that may block, as the server does.
    func sync<T: Sendable>(_ body: @escaping @Sendable (StoresBackend) throws -> T) async throws -> T {
        let stores = self
        return try await Backend.offPool { try body(stores) }
    }
}

extension Backend {
    /// Every store of this backend on one fresh database, and the backend's wallet on it.
    func withStores<T: Sendable>(_ body: @Sendable (StoresBackend, WalletService) async throws -> T) async throws -> T {
        let clock = ManualClock(epochSeconds: Self.startEpochSeconds)
        switch self {
        case .sqlite:
            let database = try QuanziDatabase.temporary(name: "contract")
            defer { try? database.removeFiles() }
            let stores = StoresBackend(
                users: UserStore(database: database), tokens: TokenStore(database: database), friends: FriendStore(database: database),
                posts: PostStore(database: database), moderation: ModerationStore(database: database), blocks: BlockStore(database: database),
                affinities: AffinityStore(database: database),
                credit: CreditStore(database: database), experiments: ExperimentStore(database: database),
                metrics: MetricReader(database: database), feeds: FeedQueries(database: database),
                walletReads: SQLiteWalletReads(database: database), views: ViewRecorder(database: database),
                bulkWrite: { body in try database.bulkWrite { try body($0) } },
                strings: { sql in try database.pool.read { db in try String.fetchAll(db, sql: sql) } })
            return try await body(stores, try WalletService.onSQLite(database: database, clock: clock))
        case .postgres:
            return try await PostgresTestDatabase.withDatabase { database, client in
                let stores = StoresBackend(
                    users: PostgresUserStore(database: database), tokens: PostgresTokenStore(database: database),
                    friends: PostgresFriendStore(database: database), posts: PostgresPostStore(database: database),
                    moderation: PostgresModerationStore(database: database), blocks: PostgresBlockStore(database: database), affinities: PostgresAffinityStore(database: database), credit: PostgresCreditStore(database: database),
                    experiments: PostgresExperimentStore(database: database), metrics: PostgresMetricReader(database: database),
                    feeds: PostgresFeedQueries(database: database), walletReads: PostgresWalletReads(database: database),
                    views: PostgresViewRecorder(database: database),
                    bulkWrite: { body in try database.bulkWrite { try body($0) } },
                    strings: { sql in
                        try database.unsafeRead { session in try session.values(PostgresQuery(unsafeSQL: sql), as: String.self) }
                    })
                return try await body(stores, try await WalletService.onPostgres(client: client, clock: clock, logger: PostgresTestDatabase.logger))
            }
        }
    }
}
