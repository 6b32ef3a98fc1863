import Core
import GRDB
import Ledger
@_spi(LedgerStore) import StorageModel

/// The ledger on SQLite: fetches what a decision needs and writes what was decided, each
/// `commit…` in one write transaction (one fsync). The rules live in `Ledger`'s state machines;
/// the door that runs them is the service's wallet.
@_spi(LedgerStore)
public final class SQLiteLedgerStore: LedgerStore {
    public let database: QuanziDatabase

    /// Refuses a database whose commits would not survive power loss.
    public init(database: QuanziDatabase) throws {
        // "Committed" must mean "survives power loss": with WAL that takes synchronous FULL (2)
        // or EXTRA (3) on the writer. GRDB's pool quietly sets NORMAL when it enables WAL (which
        // QuanziDatabase undoes); refuse to move money if that ever regresses.
        let synchronous = try database.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        guard let synchronous, synchronous >= 2 else { throw WalletNotDurable(synchronous: synchronous ?? -1) }
        self.database = database
    }

    // MARK: Reads

    public func openAccounts(for users: [UserID], at now: Int64) async throws -> Int {
        try await database.write { db in
            let userExists = try db.cachedStatement(sql: "SELECT 1 FROM users WHERE id = ?")
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO ledger_accounts (id, kind, user_id, balance_fen, created_at) VALUES (?, 'user', ?, 0, ?)
                    ON CONFLICT DO NOTHING
                    """)
            var opened = 0
            for user in users {
                guard try Bool.fetchOne(userExists, arguments: [user.rawValue]) == true else { throw LedgerError.userNotFound }
                try insert.execute(arguments: [user.rawValue, user.rawValue, now])
                opened += db.changesCount
            }
            return opened
        }
    }

    public func balanceFen(of account: AccountID) async throws -> Int64? {
        try await database.read { db in try LedgerRows.balanceFen(of: account, in: db) }
    }

    public func receipt(ofTransfer id: Int64) async throws -> TransferReceipt? {
        try await database.read { db in try LedgerRows.transfer(id: id, in: db) }
    }

    public func earlierTransfer(initiator: UserID, idempotencyKey: String) async throws -> EarlierTransfer? {
        try await database.read { db in try LedgerRows.transfer(initiator: initiator, key: idempotencyKey, in: db) }
    }

    public func redPacket(_ id: RedPacketID) async throws -> RedPacketState? {
        try await database.read { db in
            guard let record = try RedPacketRows.packet(id: id, in: db) else { return nil }
            return RedPacketState(
                receipt: record.receipt, claims: try RedPacketRows.claims(of: id, in: db),
                refundTransferID: record.refundTransferID, settledAt: record.settledAt)
        }
    }

    public func verify(now: Int64) async throws -> LedgerReport {
        try await database.read { db in try LedgerVerifier.verify(db, now: now) }
    }

    // MARK: Transfers

    public func commitTransfers(
        _ prefetch: TransferPrefetch, at now: Int64, decide: @Sendable (TransferSnapshot) -> DecidedTransfers
    ) async throws -> [TransferResult] {
        // Decided before anything is written: a refusal is a result, not a throw.
        try await database.writeCheckingFirst { db in
            var balancesFen: [AccountID: Int64] = [:]
            for account in prefetch.accounts {
                if let balanceFen = try LedgerRows.balanceFen(of: account, in: db) { balancesFen[account] = balanceFen }
            }
            var earlier: [IdempotencyKey: EarlierTransfer] = [:]
            for key in prefetch.idempotencyKeys {
                if let transfer = try LedgerRows.transfer(initiator: key.initiator, key: key.key, in: db) { earlier[key] = transfer }
            }
            let decided = decide(TransferSnapshot(balancesFen: balancesFen, earlier: earlier))
            let plan = decided.plan
            let transferIDs = try plan.postings.map { try LedgerWrites.insert($0, at: now, in: db) }
            try LedgerWrites.moveBalances(plan.deltas, in: db)
            let receipts = plan.receipts(transferIDs: transferIDs, createdAt: now)
            for event in plan.events(receipts: receipts) { try EventLog.append(Event(event), in: db) }
            for bump in decided.affinityBumps {
                try AffinityStore.bump(viewer: bump.viewer, author: bump.author, bump.interaction, at: bump.atEpochSeconds, db)
            }
            return plan.results(receipts: receipts)
        }
    }

    // MARK: Red packets

    public func commitRedPacket(
        sender: UserID, idempotencyKey: String,
        decide: @Sendable (RedPacketStateMachine.CreateSnapshot) -> LedgerDecision<RedPacketResult, RedPacketStateMachine.CreatePlan>
    ) async throws -> RedPacketResult {
        try await database.write { db in
            let earlier = try LedgerRows.transfer(initiator: sender, key: idempotencyKey, in: db)
            let earlierPacket = try earlier.flatMap { earlier in
                earlier.receipt.kind == .redPacketCreate
                    ? try RedPacketRows.packet(fundTransferID: earlier.receipt.transferID, in: db)?.receipt : nil
            }
            let snapshot = RedPacketStateMachine.CreateSnapshot(
                senderFen: try LedgerRows.balanceFen(of: .user(sender), in: db),
                escrowFen: try LedgerRows.balanceFen(of: .redPacketEscrow, in: db), earlier: earlier, earlierPacket: earlierPacket)
            switch decide(snapshot) {
            case .answer(let answer):
                return answer
            case .write(let plan):
                return .committed(try Self.write(plan, in: db))
            }
        }
    }

    private static func write(_ plan: RedPacketStateMachine.CreatePlan, in db: Database) throws -> RedPacketReceipt {
        let request = plan.request
        let fundTransferID = try LedgerWrites.insert(plan.fund, at: plan.createdAt, in: db)
        try LedgerWrites.moveBalances(plan.deltas, in: db)
        let circleID: String? = if case .circle(let circle) = request.audience { circle.rawValue } else { nil }
        try db.cachedStatement(
            sql: """
                INSERT INTO red_packets (sender_id, split, total_fen, share_count, seed, audience_kind, audience_circle_id,
                  fund_transfer_id, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            request.sender.rawValue, request.split.rawValue, request.totalFen, request.shareCount,
            Int64(bitPattern: plan.seed), request.audience.kindName, circleID, fundTransferID, plan.createdAt, plan.expiresAt,
        ])
        let id = RedPacketID(db.lastInsertedRowID)
        let insertShare = try db.cachedStatement(
            sql: "INSERT INTO red_packet_shares (red_packet_id, share_index, amount_fen) VALUES (?, ?, ?)")
        for (index, amountFen) in plan.sharesFen.enumerated() { try insertShare.execute(arguments: [id.rawValue, index, amountFen]) }
        let insertMember = try db.cachedStatement(sql: "INSERT INTO red_packet_audience (red_packet_id, user_id) VALUES (?, ?)")
        for user in plan.listedUsers { try insertMember.execute(arguments: [id.rawValue, user.rawValue]) }
        try EventLog.append(Event(plan.event(id: id, fundTransferID: fundTransferID)), in: db)
        return plan.receipt(id: id, fundTransferID: fundTransferID)
    }

    public func claimSnapshot(_ id: RedPacketID, claimer: UserID) async throws -> RedPacketStateMachine.ClaimSnapshot {
        try await database.read { db in try Self.claimSnapshot(id, claimer: claimer, in: db) }
    }

    private static func claimSnapshot(_ id: RedPacketID, claimer: UserID, in db: Database) throws -> RedPacketStateMachine.ClaimSnapshot {
        let next = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT share_index, amount_fen FROM red_packet_shares
                    WHERE red_packet_id = ? AND claimer_id IS NULL ORDER BY share_index LIMIT 1
                    """),
            arguments: [id.rawValue])
        return RedPacketStateMachine.ClaimSnapshot(
            packet: try RedPacketRows.packet(id: id, in: db),
            claimerHasAccount: try LedgerRows.balanceFen(of: .user(claimer), in: db) != nil,
            earlierClaim: try RedPacketRows.claim(of: id, by: claimer, in: db),
            claimerIsListed: try RedPacketRows.isListed(claimer, in: id, db: db),
            nextShare: next.map { .init(index: $0["share_index"], amountFen: $0["amount_fen"]) })
    }

    public func commitClaim(
        _ id: RedPacketID, claimer: UserID,
        decide: @Sendable (RedPacketStateMachine.ClaimSnapshot) -> LedgerDecision<ClaimResult, RedPacketStateMachine.ClaimPlan>
    ) async throws -> ClaimResult {
        try await database.write { db in
            switch decide(try Self.claimSnapshot(id, claimer: claimer, in: db)) {
            case .answer(let answer):
                return answer
            case .write(let plan):
                let now = plan.claimedAt
                let transferID = try LedgerWrites.insert(plan.posting, at: now, in: db)
                try LedgerWrites.moveBalances(plan.deltas, in: db)
                try db.cachedStatement(
                    sql: """
                        UPDATE red_packet_shares SET claimer_id = ?, claim_transfer_id = ?, claimed_at = ?
                        WHERE red_packet_id = ? AND share_index = ?
                        """
                ).execute(arguments: [claimer.rawValue, transferID, now, id.rawValue, plan.shareIndex])
                if plan.settlesPacket {
                    try db.cachedStatement(sql: "UPDATE red_packets SET settled_at = ? WHERE id = ?").execute(arguments: [now, id.rawValue])
                }
                try EventLog.append(Event(plan.event(transferID: transferID)), in: db)
                return .committed(plan.claim(transferID: transferID))
            }
        }
    }

    public func commitExpiry(
        at now: Int64, limit: Int, decide: @Sendable ([RedPacketStateMachine.ExpiredPacket]) -> RedPacketStateMachine.ExpiryBatch
    ) async throws -> [RedPacketRefund] {
        try await database.write { db in
            let expired = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.id, p.sender_id,
                      (SELECT COALESCE(SUM(amount_fen), 0) FROM red_packet_shares s WHERE s.red_packet_id = p.id AND s.claimer_id IS NULL)
                        AS remainder_fen
                    FROM red_packets p WHERE p.settled_at IS NULL AND p.expires_at <= ? ORDER BY p.expires_at, p.id LIMIT ?
                    """,
                arguments: [now, limit]
            ).map { row in
                RedPacketStateMachine.ExpiredPacket(
                    id: RedPacketID(row["id"] as Int64), sender: UserID(row["sender_id"] as Int64), remainderFen: row["remainder_fen"])
            }
            var refunds: [RedPacketRefund] = []
            let batch = decide(expired)
            try LedgerWrites.moveBalances(batch.deltas, in: db)
            for plan in batch.plans {
                guard let posting = plan.refund else {
                    try db.execute(sql: "UPDATE red_packets SET settled_at = ? WHERE id = ?", arguments: [plan.settledAt, plan.redPacketID.rawValue])
                    continue
                }
                let transferID = try LedgerWrites.insert(posting, at: plan.settledAt, in: db)
                try db.execute(
                    sql: "UPDATE red_packets SET settled_at = ?, refund_transfer_id = ? WHERE id = ?",
                    arguments: [plan.settledAt, transferID, plan.redPacketID.rawValue])
                guard let refund = plan.refund(transferID: transferID), let event = plan.event(transferID: transferID) else { continue }
                try EventLog.append(Event(event), in: db)
                refunds.append(refund)
            }
            return refunds
        }
    }
}
