import Core
import Ledger
import Logging
import PostgresNIO
import Social
@_spi(LedgerStore) import StorageModel

/// The ledger on PostgreSQL: fetches what a decision needs and writes what was decided, each
/// `commit…` one transaction on a `PostgresClient`. Any number of these, in one process or on
/// several nodes, may share one database: every guarantee of the SQLite store holds across them.
///
/// Concurrency across nodes: a transfer batch first locks every account it names with
/// `SELECT … FOR UPDATE`, in ascending id order, and only then reads idempotency keys and
/// writes. Two batches sharing an account therefore run one after the other; since each takes
/// all its locks before its first write, in one global order, no cycle of waits (deadlock) can
/// form. Under READ COMMITTED each statement sees what committed before it, so the key lookup
/// after the locks sees a twin request that another node committed while we waited. A red
/// packet's row is locked before its accounts; every red-packet movement locks the escrow row,
/// so red packets serialise on it across nodes, as they do on SQLite's single writer.
///
/// A transfer batch is five round trips whatever its size (locks, keys, postings, balances,
/// events), plus two for its affinity. A transaction PostgreSQL says may succeed on a rerun
/// (serialization failure, deadlock) is rerun, deciding again from what it then reads.
@_spi(LedgerStore)
public final class PostgresLedgerStore: LedgerStore {
    public let client: PostgresClient
    let logger: Logger
    let transactions: PostgresTransactions

    /// Checks that the server makes commits durable (fsync and synchronous_commit on) before any
    /// money moves. The caller runs `client.run()` for as long as the store is used, and has
    /// applied ``PostgresMigrations``.
    public static func open(client: PostgresClient, logger: Logger = Logger(label: "quanzi.postgres-ledger")) async throws
        -> PostgresLedgerStore
    {
        try await checkDurable(client: client, logger: logger)
        return PostgresLedgerStore(client: client, logger: logger)
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
    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        transactions = PostgresTransactions(client: client, logger: logger)
    }

    /// `body` in a transaction, rerun when PostgreSQL says a rerun may succeed.
    private func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await transactions.retrying { try await self.transactions.inTransaction { connection in try await body(connection) } }
    }

    // MARK: Reads

    public func openAccounts(for users: [UserID], at now: Int64) async throws -> Int {
        let ids = Set(users.map(\.rawValue)).sorted()
        let logger = logger
        return try await transactions.inTransaction { connection in
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

    public func balanceFen(of account: AccountID) async throws -> Int64? {
        let rows = try await client.query("SELECT balance_fen FROM ledger_accounts WHERE id = \(account.rawValue)", logger: logger)
        for try await balanceFen in rows.decode(Int64.self) { return balanceFen }
        return nil
    }

    public func receipt(ofTransfer id: Int64) async throws -> TransferReceipt? {
        let rows = try await client.query(
            "SELECT \(unescaped: PostgresLedgerRows.transferColumns) FROM ledger_transfers t WHERE t.id = \(id)", logger: logger)
        for try await row in rows.decode(PostgresLedgerRows.TransferRow.self) { return try PostgresLedgerRows.receipt(from: row).0 }
        return nil
    }

    public func earlierTransfer(initiator: UserID, idempotencyKey: String) async throws -> EarlierTransfer? {
        let logger = logger
        return try await client.withConnection { connection in
            try await PostgresLedgerPosting.transfer(initiator: initiator, key: idempotencyKey, on: connection, logger: logger)
        }
    }

    /// Red packet `id` with its claims, or `nil`, from one snapshot.
    public func redPacket(_ id: RedPacketID) async throws -> RedPacketState? {
        let logger = logger
        return try await client.withConnection { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            do {
                let state: RedPacketState?
                if let record = try await PostgresRedPacketRows.packet(id: id, on: connection, logger: logger) {
                    state = RedPacketState(
                        receipt: record.receipt, claims: try await PostgresRedPacketRows.claims(of: id, on: connection, logger: logger),
                        refundTransferID: record.refundTransferID, settledAt: record.settledAt)
                } else {
                    state = nil
                }
                try await connection.query("COMMIT", logger: logger)
                return state
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    public func verify(now: Int64) async throws -> LedgerReport {
        try await PostgresLedgerVerifier.verify(client, now: now, logger: logger)
    }

    // MARK: Transfers

    public func commitTransfers(
        _ prefetch: TransferPrefetch, at now: Int64, decide: @Sendable (TransferSnapshot) -> DecidedTransfers
    ) async throws -> [TransferResult] {
        // Three waits for PostgreSQL where one statement at a time took seven: the locks and
        // the earlier transfers (read after the locks, in their own snapshot, so a request
        // racing on another node with the same key is seen), then the inserts and balances,
        // then the events and COMMIT.
        try await transactions.retrying {
            try await transactions.pipelined { pipeline in
                let locked = pipeline.sendRead(PostgresLedgerPosting.lockAccountsQuery(prefetch.accounts))
                let earlierSent = PostgresLedgerPosting.earlierTransfersQuery(prefetch.idempotencyKeys).map(pipeline.sendRead)
                let balancesFen = PostgresLedgerPosting.balances(from: try await pipeline.rows(locked, as: (Int64, Int64).self))
                var earlier: [IdempotencyKey: EarlierTransfer] = [:]
                if let earlierSent {
                    earlier = try PostgresLedgerPosting.earlierTransfers(
                        from: try await pipeline.rows(earlierSent, as: PostgresLedgerRows.TransferRow.self))
                }
                let decided = decide(TransferSnapshot(balancesFen: balancesFen, earlier: earlier))
                let plan = decided.plan
                let inserted = try PostgresLedgerPosting.insertQuery(plan.postings, at: now).map(pipeline.sendWrite)
                if let move = PostgresLedgerPosting.moveBalancesQuery(plan.deltas) { pipeline.sendWrite(move) }
                var transferIDs: [Int64] = []
                if let inserted {
                    transferIDs = try PostgresLedgerPosting.transferIDs(
                        from: try await pipeline.rows(inserted, as: (Int64, Int64).self), count: plan.postings.count)
                }
                let receipts = plan.receipts(transferIDs: transferIDs, createdAt: now)
                for query in PostgresEventLog.insertQueries(plan.events(receipts: receipts).map(Event.init)) { pipeline.sendWrite(query) }
                try await PostgresAffinityStore.bump(decided.affinityBumps.map { PostgresAffinityStore.Bump($0) }, in: pipeline)
                return plan.results(receipts: receipts)
            }
        }
    }

    // MARK: Red packets

    public func commitRedPacket(
        sender: UserID, idempotencyKey: String,
        decide: @Sendable (RedPacketStateMachine.CreateSnapshot) -> LedgerDecision<RedPacketResult, RedPacketStateMachine.CreatePlan>
    ) async throws -> RedPacketResult {
        let logger = logger
        return try await transaction { connection in
            let balancesFen = try await PostgresLedgerPosting.lockAccounts([.user(sender), .redPacketEscrow], on: connection, logger: logger)
            let earlier = try await PostgresLedgerPosting.transfer(initiator: sender, key: idempotencyKey, on: connection, logger: logger)
            var earlierPacket: RedPacketReceipt?
            if let earlier, earlier.receipt.kind == .redPacketCreate {
                earlierPacket = try await PostgresRedPacketRows.packet(
                    fundTransferID: earlier.receipt.transferID, on: connection, logger: logger)?.receipt
            }
            let snapshot = RedPacketStateMachine.CreateSnapshot(
                senderFen: balancesFen[.user(sender)], escrowFen: balancesFen[.redPacketEscrow], earlier: earlier,
                earlierPacket: earlierPacket)
            switch decide(snapshot) {
            case .answer(let answer):
                return answer
            case .write(let plan):
                return .committed(try await Self.write(plan, on: connection, logger: logger))
            }
        }
    }

    private static func write(_ plan: RedPacketStateMachine.CreatePlan, on connection: PostgresConnection, logger: Logger) async throws
        -> RedPacketReceipt
    {
        let request = plan.request
        let fundTransferID = try await PostgresLedgerPosting.insert(plan.fund, at: plan.createdAt, on: connection, logger: logger)
        try await PostgresLedgerPosting.moveBalances(plan.deltas, on: connection, logger: logger)
        let circleID: String? = if case .circle(let circle) = request.audience { circle.rawValue } else { nil }
        let ids = try await connection.values(
            """
            INSERT INTO red_packets (sender_id, split, total_fen, share_count, seed, audience_kind, audience_circle_id,
              fund_transfer_id, created_at, expires_at)
            VALUES (\(request.sender.rawValue), \(request.split.rawValue), \(request.totalFen), \(request.shareCount),
              \(Int64(bitPattern: plan.seed)), \(request.audience.kindName), \(circleID), \(fundTransferID), \(plan.createdAt),
              \(plan.expiresAt))
            RETURNING id
            """, as: Int64.self, logger: logger)
        guard let rawID = ids.first else { throw PostgresLedgerRows.Corrupt(reason: "INSERT returned no red packet id") }
        try await connection.query(
            """
            INSERT INTO red_packet_shares (red_packet_id, share_index, amount_fen)
            SELECT \(rawID), i - 1, amount_fen FROM unnest(\(plan.sharesFen)::bigint[]) WITH ORDINALITY AS s(amount_fen, i)
            """, logger: logger)
        if !plan.listedUsers.isEmpty {
            try await connection.query(
                """
                INSERT INTO red_packet_audience (red_packet_id, user_id)
                SELECT \(rawID), u FROM unnest(\(plan.listedUsers.map(\.rawValue))::bigint[]) AS u
                """, logger: logger)
        }
        let id = RedPacketID(rawID)
        try await PostgresEventLog.append([Event(plan.event(id: id, fundTransferID: fundTransferID))], on: connection, logger: logger)
        return plan.receipt(id: id, fundTransferID: fundTransferID)
    }

    public func claimSnapshot(_ id: RedPacketID, claimer: UserID) async throws -> RedPacketStateMachine.ClaimSnapshot {
        let logger = logger
        return try await client.withConnection { connection in
            try await Self.claimSnapshot(id, claimer: claimer, lock: false, on: connection, logger: logger)
        }
    }

    /// `lock`: the packet's row `FOR UPDATE` first, then the escrow's and the claimer's accounts.
    private static func claimSnapshot(
        _ id: RedPacketID, claimer: UserID, lock: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws -> RedPacketStateMachine.ClaimSnapshot {
        let packet = try await PostgresRedPacketRows.packet(id: id, lock: lock, on: connection, logger: logger)
        let balancesFen = try await PostgresLedgerPosting.lockAccounts(
            packet == nil || !lock ? [.user(claimer)] : [.redPacketEscrow, .user(claimer)], lock: lock && packet != nil,
            on: connection, logger: logger)
        let next = try await connection.rows(
            """
            SELECT share_index, amount_fen FROM red_packet_shares
            WHERE red_packet_id = \(id.rawValue) AND claimer_id IS NULL ORDER BY share_index LIMIT 1
            """, as: (Int, Int64).self, logger: logger
        ).first
        return RedPacketStateMachine.ClaimSnapshot(
            packet: packet, claimerHasAccount: balancesFen[.user(claimer)] != nil,
            earlierClaim: try await PostgresRedPacketRows.claim(of: id, by: claimer, on: connection, logger: logger),
            claimerIsListed: try await PostgresRedPacketRows.isListed(claimer, in: id, on: connection, logger: logger),
            nextShare: next.map { .init(index: $0.0, amountFen: $0.1) })
    }

    public func commitClaim(
        _ id: RedPacketID, claimer: UserID,
        decide: @Sendable (RedPacketStateMachine.ClaimSnapshot) -> LedgerDecision<ClaimResult, RedPacketStateMachine.ClaimPlan>
    ) async throws -> ClaimResult {
        let logger = logger
        return try await transaction { connection in
            let snapshot = try await Self.claimSnapshot(id, claimer: claimer, lock: true, on: connection, logger: logger)
            switch decide(snapshot) {
            case .answer(let answer):
                return answer
            case .write(let plan):
                let now = plan.claimedAt
                let transferID = try await PostgresLedgerPosting.insert(plan.posting, at: now, on: connection, logger: logger)
                try await PostgresLedgerPosting.moveBalances(plan.deltas, on: connection, logger: logger)
                try await connection.query(
                    """
                    UPDATE red_packet_shares SET claimer_id = \(claimer.rawValue), claim_transfer_id = \(transferID), claimed_at = \(now)
                    WHERE red_packet_id = \(id.rawValue) AND share_index = \(plan.shareIndex)
                    """, logger: logger)
                if plan.settlesPacket {
                    try await connection.query("UPDATE red_packets SET settled_at = \(now) WHERE id = \(id.rawValue)", logger: logger)
                }
                try await PostgresEventLog.append([Event(plan.event(transferID: transferID))], on: connection, logger: logger)
                return .committed(plan.claim(transferID: transferID))
            }
        }
    }

    /// Packets another node is settling or claiming right now are skipped (`SKIP LOCKED`): sweeps
    /// on several nodes share the work, and a skipped packet is swept next time.
    public func commitExpiry(
        at now: Int64, limit: Int, decide: @Sendable ([RedPacketStateMachine.ExpiredPacket]) -> RedPacketStateMachine.ExpiryBatch
    ) async throws -> [RedPacketRefund] {
        let logger = logger
        return try await transaction { connection in
            let expired = try await connection.rows(
                """
                SELECT id, sender_id FROM red_packets
                WHERE settled_at IS NULL AND expires_at <= \(now) ORDER BY expires_at, id LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
                """, as: (Int64, Int64).self, logger: logger)
            var packets: [RedPacketStateMachine.ExpiredPacket] = []
            for (rawID, rawSender) in expired {
                let remainderFen =
                    try await connection.values(
                        """
                        SELECT COALESCE(SUM(amount_fen), 0)::bigint FROM red_packet_shares
                        WHERE red_packet_id = \(rawID) AND claimer_id IS NULL
                        """, as: Int64.self, logger: logger
                    ).first ?? 0
                packets.append(.init(id: RedPacketID(rawID), sender: UserID(rawSender), remainderFen: remainderFen))
            }
            let batch = decide(packets)
            _ = try await PostgresLedgerPosting.lockAccounts(Array(batch.deltas.fenByAccount.keys), on: connection, logger: logger)
            try await PostgresLedgerPosting.moveBalances(batch.deltas, on: connection, logger: logger)
            var refunds: [RedPacketRefund] = []
            for plan in batch.plans {
                let rawID = plan.redPacketID.rawValue
                guard let posting = plan.refund else {
                    try await connection.query("UPDATE red_packets SET settled_at = \(plan.settledAt) WHERE id = \(rawID)", logger: logger)
                    continue
                }
                let transferID = try await PostgresLedgerPosting.insert(posting, at: plan.settledAt, on: connection, logger: logger)
                try await connection.query(
                    "UPDATE red_packets SET settled_at = \(plan.settledAt), refund_transfer_id = \(transferID) WHERE id = \(rawID)",
                    logger: logger)
                guard let refund = plan.refund(transferID: transferID), let event = plan.event(transferID: transferID) else { continue }
                try await PostgresEventLog.append([Event(event)], on: connection, logger: logger)
                refunds.append(refund)
            }
            return refunds
        }
    }
}
