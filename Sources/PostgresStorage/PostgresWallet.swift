import Core
import Ledger
import Logging
import PostgresNIO
import StorageModel

/// The wallet's top-ups, transfers and tips on PostgreSQL. Any number of these, in one process
/// or on several nodes, may share one database: every guarantee of the SQLite `Wallet` holds
/// across them (see ``PostgresTransferBatch`` for how).
///
/// Results are the same `LedgerResult`s; a thrown error means nothing was committed and the
/// request may be retried with the same idempotency key. Top-ups, transfers and tips are group
/// committed per node, as on SQLite: concurrent requests queue and share one transaction (see
/// ``GroupCommitPolicy``); red packets are a transaction each.
public final class PostgresWallet: Sendable {
    public let client: PostgresClient
    public let limits: LedgerLimits
    /// How transfers are made durable.
    public let commitMode: TransferCommitMode
    let clock: any Clock
    let audience: any RedPacketAudienceChecker
    let logger: Logger
    let transactions: PostgresTransactions
    private let committer: GroupCommitter?

    /// Checks that the server makes commits durable (fsync and synchronous_commit on) before
    /// any money moves. The caller runs `client.run()` for as long as the wallet is used, and
    /// has applied ``PostgresMigrations``. `audience` decides friends and circle audiences of red
    /// packets, as for the SQLite `Wallet`; the default admits only listed users.
    public static func open(
        client: PostgresClient, clock: any Clock = SystemClock(), limits: LedgerLimits = .default,
        commitMode: TransferCommitMode = .default,
        audience: any RedPacketAudienceChecker = ListedUsersOnly(), logger: Logger = Logger(label: "quanzi.postgres-wallet")
    ) async throws -> PostgresWallet {
        try await checkDurable(client: client, logger: logger)
        return PostgresWallet(client: client, clock: clock, limits: limits, commitMode: commitMode, audience: audience, logger: logger)
    }

    /// Throws ``PostgresWalletNotDurable`` unless fsync and synchronous_commit are on.
    static func checkDurable(client: PostgresClient, logger: Logger) async throws {
        for setting in ["fsync", "synchronous_commit"] {
            let rows = try await client.query("SELECT current_setting(\(setting))", logger: logger)
            for try await value in rows.decode(String.self) where value != "on" {
                throw PostgresWalletNotDurable(setting: setting, value: value)
            }
        }
    }

    /// Without the durability check: ``PostgresBackend`` made it when it opened.
    init(
        client: PostgresClient, clock: any Clock, limits: LedgerLimits, commitMode: TransferCommitMode,
        audience: any RedPacketAudienceChecker, logger: Logger
    ) {
        self.client = client
        self.clock = clock
        self.limits = limits
        self.commitMode = commitMode
        self.audience = audience
        self.logger = logger
        let transactions = PostgresTransactions(client: client, logger: logger)
        self.transactions = transactions
        switch commitMode {
        case .groupCommit(let policy):
            committer = GroupCommitter(policy: policy) { requests in
                await transactions.commitBatch(requests, limits: limits, at: clock.nowEpochSeconds)
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

    /// Opens the accounts of many users in one transaction; returns how many were new. All or
    /// nothing: throws `LedgerError.userNotFound` if any user does not exist.
    @discardableResult
    public func openAccounts(for users: [UserID]) async throws -> Int {
        let ids = Set(users.map(\.rawValue)).sorted()
        let (now, logger) = (clock.nowEpochSeconds, logger)
        return try await inTransaction { connection in
            let known = try await connection.values("SELECT count(*) FROM users WHERE id = ANY(\(ids))", as: Int.self, logger: logger)
            guard known.first == ids.count else { throw LedgerError.userNotFound }
            return try await connection.values(
                """
                INSERT INTO ledger_accounts (id, kind, user_id, balance_fen, created_at)
                SELECT id, 'user', id, 0, \(now) FROM unnest(\(ids)::bigint[]) AS u(id)
                ON CONFLICT DO NOTHING RETURNING id
                """, as: Int64.self, logger: logger
            ).count
        }
    }

    /// The balance of `account` in fen, or `nil` if it is not open.
    public func balanceFen(of account: AccountID) async throws -> Int64? {
        let rows = try await client.query(
            "SELECT balance_fen FROM ledger_accounts WHERE id = \(account.rawValue)", logger: logger)
        for try await balanceFen in rows.decode(Int64.self) { return balanceFen }
        return nil
    }

    /// The balance of `user`'s account in fen, or `nil` if it is not open.
    public func balanceFen(of user: UserID) async throws -> Int64? {
        try await balanceFen(of: .user(user))
    }

    /// The committed transfer with `id`.
    public func receipt(ofTransfer id: Int64) async throws -> TransferReceipt? {
        let rows = try await client.query(
            "SELECT \(unescaped: PostgresLedgerRows.transferColumns) FROM ledger_transfers t WHERE t.id = \(id)",
            logger: logger)
        for try await row in rows.decode(PostgresLedgerRows.TransferRow.self) {
            return try PostgresLedgerRows.receipt(from: row).0
        }
        return nil
    }

    public func receipt(initiator: UserID, idempotencyKey: String) async throws -> TransferReceipt? {
        try await client.withConnection { connection in
            try await PostgresLedgerPosting.transfer(initiator: initiator, key: idempotencyKey, on: connection, logger: logger)?.receipt
        }
    }

    // MARK: Moving money

    /// Applies a top-up, transfer or tip; a replayed idempotency key returns the original receipt,
    /// whichever node committed it. Throws `WalletOverloaded` when the group-commit queue is full.
    public func transfer(_ request: TransferRequest) async throws -> TransferResult {
        // Refusals that need no database never wait for a batch.
        if let error = request.fieldError(limits: limits) { return .rejected(error) }
        if let committer { return try await committer.submit(request) }
        return try await transferBatch([request])[0].get()
    }

    /// Money from one user to another.
    public func transfer(from: UserID, to: UserID, amountFen: Int64, idempotencyKey: String) async throws -> TransferResult {
        try await transfer(.transfer(from: from, to: to, amountFen: amountFen, idempotencyKey: idempotencyKey))
    }

    /// A tip to a post's author.
    public func tip(
        from: UserID, to author: UserID, postID: Int64, circleID: CircleID? = nil, amountFen: Int64,
        idempotencyKey: String
    ) async throws -> TransferResult {
        try await transfer(
            .tip(from: from, to: author, postID: postID, circleID: circleID, amountFen: amountFen, idempotencyKey: idempotencyKey))
    }

    /// Money entering `user`'s account from outside, asked for by `admin` (whose key it is).
    public func topUp(_ user: UserID, by admin: UserID? = nil, amountFen: Int64, idempotencyKey: String) async throws -> TransferResult {
        try await transfer(.topUp(user, by: admin, amountFen: amountFen, idempotencyKey: idempotencyKey))
    }

    /// Many requests in one transaction, each checked on its own; results in request order. When
    /// the shared transaction fails, each request is retried alone so one bad request fails
    /// alone (nothing of the failed transaction was committed, so nothing applies twice).
    public func transferBatch(_ requests: [TransferRequest]) async -> [Result<TransferResult, any Error>] {
        await transactions.commitBatch(requests, limits: limits, at: clock.nowEpochSeconds)
    }

    /// Runs `attempt` again when PostgreSQL says a rerun may succeed (see ``PostgresTransactions``).
    func retrying<T>(_ attempt: () async throws -> T) async throws -> T {
        try await transactions.retrying(attempt)
    }

    /// A transaction on a pooled connection that rethrows what `body` threw as itself.
    func inTransaction<T>(_ body: (PostgresConnection) async throws -> sending T) async throws -> sending T {
        try await transactions.inTransaction(body)
    }

    // MARK: Verify

    /// Group-commit counters of this node, or `nil` in one-transaction-per-transfer mode.
    public func groupCommitStatistics() async -> GroupCommitStatistics? {
        await committer?.statistics
    }

    /// `ledger verify` on this database (see ``PostgresLedgerVerifier``), as of the wallet's clock.
    public func verify() async throws -> LedgerReport {
        try await PostgresLedgerVerifier.verify(client, now: clock.nowEpochSeconds, logger: logger)
    }
}
