import Core
import GRDB
import Ledger

/// The wallet: accounts, top-ups, transfers, tips and red packets over the ledger tables.
///
/// Every money operation returns a `LedgerResult` (committed, replayed, or refused with a
/// `LedgerError`) and throws only when storage fails, in which case nothing was committed and
/// the request may be retried with the same idempotency key. When a call returns `.committed`
/// the movement is durable (`synchronous=FULL`), with its event in the same transaction.
public final class Wallet: Sendable {
    public let database: QuanziDatabase
    public let limits: LedgerLimits
    let clock: any Clock
    let audience: any RedPacketAudienceChecker
    /// How transfers are made durable.
    public let commitMode: TransferCommitMode
    private let committer: GroupCommitter?

    /// - Parameters:
    ///   - clock: the time stamped on transfers and events, and the clock red packets expire by.
    ///   - commitMode: group commit (default) or one transaction per transfer.
    ///   - audience: decides friends and circle audiences of red packets (see
    ///     `RedPacketAudienceChecker`); the default admits only listed users.
    public init(
        database: QuanziDatabase, clock: any Clock = SystemClock(), limits: LedgerLimits = .default,
        commitMode: TransferCommitMode = .default, audience: any RedPacketAudienceChecker = ListedUsersOnly()
    ) throws {
        // "Committed" must mean "survives power loss": with WAL that takes synchronous FULL (2)
        // or EXTRA (3) on the writer. GRDB's pool quietly sets NORMAL when it enables WAL (which
        // QuanziDatabase undoes); refuse to move money if that ever regresses.
        let synchronous = try database.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        guard let synchronous, synchronous >= 2 else { throw WalletNotDurable(synchronous: synchronous ?? -1) }
        self.database = database
        self.clock = clock
        self.limits = limits
        self.commitMode = commitMode
        self.audience = audience
        switch commitMode {
        case .groupCommit(let policy):
            let pool = database.pool
            committer = GroupCommitter(policy: policy) { requests in
                await TransferBatch.commit(requests, limits: limits, at: clock.nowEpochSeconds, writer: pool)
            }
        case .transactionPerTransfer:
            committer = nil
        }
    }

    // MARK: Accounts

    /// Opens `user`'s account (empty). Returns false when it was already open; throws
    /// `LedgerError.userNotFound` when there is no such user.
    @discardableResult
    public func openAccount(for user: UserID) async throws -> Bool {
        try await openAccounts(for: [user]) == 1
    }

    /// Opens the accounts of many users in one transaction (for seeding); returns how many were
    /// new. All or nothing: throws `LedgerError.userNotFound` if any user does not exist.
    @discardableResult
    public func openAccounts(for users: [UserID]) async throws -> Int {
        let now = clock.nowEpochSeconds
        return try await database.pool.write { db in
            let userExists = try db.cachedStatement(sql: "SELECT 1 FROM users WHERE id = ?")
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO ledger_accounts (id, kind, user_id, balance_fen, created_at) VALUES (?, 'user', ?, 0, ?)
                    ON CONFLICT DO NOTHING
                    """)
            var opened = 0
            for user in users {
                guard try Bool.fetchOne(userExists, arguments: [user.rawValue]) == true else {
                    throw LedgerError.userNotFound
                }
                try insert.execute(arguments: [user.rawValue, user.rawValue, now])
                opened += db.changesCount
            }
            return opened
        }
    }

    /// The balance of `account` in fen, or `nil` if it is not open.
    public func balanceFen(of account: AccountID) async throws -> Int64? {
        try await database.pool.read { db in try LedgerRows.balanceFen(of: account, in: db) }
    }

    /// The balance of `user`'s account in fen, or `nil` if it is not open.
    public func balanceFen(of user: UserID) async throws -> Int64? {
        try await balanceFen(of: .user(user))
    }

    /// The committed transfer with `id`.
    public func receipt(ofTransfer id: Int64) async throws -> TransferReceipt? {
        try await database.pool.read { db in try LedgerRows.transfer(id: id, in: db) }
    }

    public func receipt(initiator: UserID, idempotencyKey: String) async throws -> TransferReceipt? {
        try await database.pool.read { db in try LedgerRows.transfer(initiator: initiator, key: idempotencyKey, in: db)?.receipt }
    }

    // MARK: Moving money

    /// Applies a top-up, transfer or tip (build it with `TransferRequest.topUp/transfer/tip`).
    /// Checks run in `LedgerError` order; a replayed idempotency key returns the original receipt.
    public func transfer(_ request: TransferRequest) async throws -> TransferResult {
        // Refusals that need no database never wait for a batch.
        if let error = request.fieldError(limits: limits) { return .rejected(error) }
        if let committer { return try await committer.submit(request) }
        let (limits, now) = (limits, clock.nowEpochSeconds)
        return try await database.pool.write { db in
            try TransferWriter.apply(request, limits: limits, at: now, in: db)
        }
    }

    // transfer(from:to:…), tip(…) and topUp(…) come from `WalletRepository`.

    /// Applies many requests in one transaction (one fsync), each checked on its own, for bulk
    /// work such as seeding where the caller already holds a batch. Each request gets its own
    /// outcome: a storage error fails only the request it happened in (see `TransferBatch`).
    public func transferBatch(_ requests: [TransferRequest]) async -> [Result<TransferResult, any Error>] {
        await TransferBatch.commit(requests, limits: limits, at: clock.nowEpochSeconds, writer: database.pool)
    }

    /// Group-commit counters, or `nil` in one-transaction-per-transfer mode.
    public func groupCommitStatistics() async -> GroupCommitStatistics? {
        await committer?.statistics
    }

    /// Replays every entry and checks the ledger's invariants (see `LedgerVerifier`), as of the
    /// wallet's clock.
    public func verify() async throws -> LedgerReport {
        let now = clock.nowEpochSeconds
        return try await database.pool.read { db in try LedgerVerifier.verify(db, now: now) }
    }
}
