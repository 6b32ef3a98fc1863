import Core
import Ledger
import Logging
import PostgresNIO
@_spi(LedgerStore) import PostgresStorage
@_spi(LedgerStore) @testable import Service
@_spi(LedgerStore) import SQLiteStorage
@_spi(LedgerStore) import StorageModel

/// The service's wallet — the one door to money — over either backend's ledger store, as the
/// contract tests drive it.
extension WalletService {
    static func onPostgres(
        client: PostgresClient, clock: any Clock = SystemClock(), limits: LedgerLimits = .default,
        commitMode: TransferCommitMode = .default, audience: any RedPacketAudienceChecker = ListedUsersOnly(),
        logger: Logger = PostgresTestDatabase.logger
    ) async throws -> WalletService {
        let store = try await PostgresLedgerStore.open(client: client, logger: logger)
        return .standalone(store: store, clock: clock, limits: limits, commitMode: commitMode, audience: audience)
    }

    static func onSQLite(
        database: QuanziDatabase, clock: any Clock = SystemClock(), limits: LedgerLimits = .default,
        commitMode: TransferCommitMode = .default, audience: any RedPacketAudienceChecker = ListedUsersOnly()
    ) throws -> WalletService {
        .standalone(store: try SQLiteLedgerStore(database: database), clock: clock, limits: limits, commitMode: commitMode, audience: audience)
    }

    /// Any request, tips included, as the service submits it after a tip's rule (tests of the
    /// ledger's own rules).
    func transfer(_ request: TransferRequest) async throws -> TransferResult { try await submit(request) }

    func tip(
        from: UserID, to author: UserID, postID: Int64, circleID: CircleID? = nil, amountFen: Int64, idempotencyKey: String
    ) async throws -> TransferResult {
        try await submit(.tip(from: from, to: author, postID: postID, circleID: circleID, amountFen: amountFen, idempotencyKey: idempotencyKey))
    }
}
