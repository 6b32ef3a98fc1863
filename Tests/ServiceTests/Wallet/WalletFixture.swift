import Core
import Foundation
import GRDB
import Ledger
@_spi(LedgerStore) @testable import Service
@_spi(LedgerStore) @testable import SQLiteStorage
@_spi(LedgerStore) import StorageModel

/// A wallet over a fresh temporary database, with load users `1...userCount` (accounts open)
/// and a manual clock.
struct WalletFixture {
    let database: QuanziDatabase
    let clock: ManualClock
    let store: SQLiteLedgerStore
    let wallet: WalletService

    static let startEpochSeconds: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z

    init(
        userCount: Int = 4, commitMode: TransferCommitMode = .default,
        audience: any RedPacketAudienceChecker = ListedUsersOnly(), limits: LedgerLimits = .default
    ) async throws {
        database = try QuanziDatabase.temporary(name: "wallet")
        clock = ManualClock(epochSeconds: Self.startEpochSeconds)
        store = try SQLiteLedgerStore(database: database)
        wallet = WalletService.standalone(store: store, clock: clock, limits: limits, commitMode: commitMode, audience: audience)
        let users = (1...Int64(userCount)).map(UserID.init(rawValue:))
        let now = clock.nowEpochSeconds
        try await store.insertLoadUsers(users, at: now)
        try await wallet.openAccounts(for: users)
    }

    /// Tops `user` up by `amountFen` (a fresh key each time), expecting a commit.
    func fund(_ user: UserID, _ amountFen: Int64) async throws {
        let result = try await wallet.topUp(user, amountFen: amountFen, idempotencyKey: "fund-\(UUID().uuidString)")
        guard case .committed = result else { throw result.error ?? LedgerError.accountNotFound }
    }

    func balance(_ user: Int64) async throws -> Int64? { try await wallet.balanceFen(of: UserID(user)) }

    /// Everything a refused request must leave untouched.
    func snapshot() async throws -> LedgerSnapshot {
        try await database.pool.read { db in
            LedgerSnapshot(
                balances: try Row.fetchAll(db, sql: "SELECT id, balance_fen FROM ledger_accounts ORDER BY id")
                    .map { "\($0["id"] as Int64)=\($0["balance_fen"] as Int64)" },
                transferCount: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_transfers") ?? 0,
                entryCount: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_entries") ?? 0,
                eventCount: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0,
                redPacketCount: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM red_packets") ?? 0)
        }
    }

    /// The kinds of the events recorded so far, in order.
    func eventKinds() async throws -> [String] {
        try await database.pool.read { db in try String.fetchAll(db, sql: "SELECT kind FROM events ORDER BY id") }
    }

    func remove() { try? database.removeFiles() }
}

struct LedgerSnapshot: Equatable {
    var balances: [String]
    var transferCount: Int
    var entryCount: Int
    var eventCount: Int
    var redPacketCount: Int
}

extension WalletService {
    /// Any request, tips included, as the service submits it after a tip's rule (tests of the
    /// ledger's own rules).
    func transfer(_ request: TransferRequest) async throws -> TransferResult { try await submit(request) }

    func tip(
        from: UserID, to author: UserID, postID: Int64, circleID: CircleID? = nil, amountFen: Int64, idempotencyKey: String
    ) async throws -> TransferResult {
        try await submit(.tip(from: from, to: author, postID: postID, circleID: circleID, amountFen: amountFen, idempotencyKey: idempotencyKey))
    }
}
