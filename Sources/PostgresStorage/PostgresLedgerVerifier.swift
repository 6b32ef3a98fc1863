import Ledger
import Logging
import PostgresNIO
import StorageModel

/// `ledger verify` on PostgreSQL, in one REPEATABLE READ, READ ONLY transaction so it checks a
/// single snapshot while other nodes keep committing (and blocks none of them).
///
/// 1. Replays every entry in id order (`Ledger.BalanceReplay`, shared with SQLite): stored
///    balances equal the entries, no account that must stay non-negative dipped below zero, and
///    all balances sum to zero. Id order is commit order per account (see the migration).
/// 2. Every transfer has exactly two entries: −amount on its debit, +amount on its credit.
/// 3. Red packets (`RedPacketAudit`, shared with SQLite): escrow holds exactly the unclaimed
///    shares of unsettled packets, each packet's shares are what its seed draws, and its
///    funding, claims and refund moved what it says; no packet expired at `now` is still
///    unsettled (its remainder stuck in escrow).
///
/// Rows stream with backpressure, so memory is one balance per account, not one per entry.
public enum PostgresLedgerVerifier {
    /// Verifies the ledger as of `now` (epoch seconds, which decides what has expired).
    public static func verify(_ client: PostgresClient, now: Int64, logger: Logger) async throws -> LedgerReport {
        try await client.withConnection { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            do {
                var report = LedgerReport()
                try await replayEntries(connection, logger: logger, into: &report)
                try await checkTransfers(connection, logger: logger, into: &report)
                try await checkRedPackets(connection, now: now, logger: logger, into: &report)
                try await connection.query("COMMIT", logger: logger)
                return report
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    private static func replayEntries(_ connection: PostgresConnection, logger: Logger, into report: inout LedgerReport) async throws {
        var replay = BalanceReplay()
        let entries = try await connection.query("SELECT id, account_id, amount_fen FROM ledger_entries ORDER BY id", logger: logger)
        for try await (id, account, amountFen) in entries.decode((Int64, Int64, Int64).self) {
            replay.apply(entryID: id, account: AccountID(rawValue: account), amountFen: amountFen)
        }
        var stored: [(account: AccountID, balanceFen: Int64)] = []
        let accounts = try await connection.query("SELECT id, balance_fen FROM ledger_accounts ORDER BY id", logger: logger)
        for try await (id, balanceFen) in accounts.decode((Int64, Int64).self) {
            stored.append((AccountID(rawValue: id), balanceFen))
        }
        replay.finish(stored: stored, into: &report)
        report.accountCount = stored.count
        report.entryCount = replay.entryCount
        report.moneyInSystemFen = -(stored.first { $0.account == .external }?.balanceFen ?? 0)
    }

    private static func checkTransfers(_ connection: PostgresConnection, logger: Logger, into report: inout LedgerReport) async throws {
        let count = try await connection.query("SELECT COUNT(*)::bigint FROM ledger_transfers", logger: logger)
        for try await transferCount in count.decode(Int64.self) { report.transferCount = Int(transferCount) }
        let offenders = try await connection.query(
            """
            SELECT t.id, COALESCE(SUM(e.amount_fen), 0)::bigint AS sum_fen,
              COUNT(e.id) = 2
                AND COUNT(*) FILTER (WHERE e.account_id = t.debit_account_id AND e.amount_fen = -t.amount_fen) = 1
                AND COUNT(*) FILTER (WHERE e.account_id = t.credit_account_id AND e.amount_fen = t.amount_fen) = 1
                AS agrees
            FROM ledger_transfers t LEFT JOIN ledger_entries e ON e.transfer_id = t.id
            GROUP BY t.id
            HAVING COALESCE(SUM(e.amount_fen), 0) <> 0 OR NOT (COUNT(e.id) = 2
                AND COUNT(*) FILTER (WHERE e.account_id = t.debit_account_id AND e.amount_fen = -t.amount_fen) = 1
                AND COUNT(*) FILTER (WHERE e.account_id = t.credit_account_id AND e.amount_fen = t.amount_fen) = 1)
            ORDER BY t.id
            """, logger: logger)
        for try await (id, sumFen, agrees) in offenders.decode((Int64, Int64, Bool).self) {
            if sumFen != 0 { report.add(.unbalancedTransfer(transferID: id, sumFen: sumFen)) }
            if !agrees { report.add(.entriesDisagreeWithTransfer(transferID: id)) }
        }
    }

    private static func checkRedPackets(
        _ connection: PostgresConnection, now: Int64, logger: Logger, into report: inout LedgerReport
    ) async throws {
        report.redPacketCount = Int(try await connection.values("SELECT count(*) FROM red_packets", as: Int64.self, logger: logger).first ?? 0)
        let escrowFen = try await connection.values(
            "SELECT balance_fen FROM ledger_accounts WHERE id = \(AccountID.redPacketEscrow.rawValue)", as: Int64.self, logger: logger
        ).first ?? 0
        let outstandingFen = try await connection.values(
            PostgresQuery(unsafeSQL: "SELECT (\(RedPacketAudit.outstandingSQL))::bigint"), as: Int64.self, logger: logger
        ).first ?? 0
        if escrowFen != outstandingFen { report.add(.escrowMismatch(escrowFen: escrowFen, outstandingFen: outstandingFen)) }
        // One row per packet with its shares in order, streamed: memory stays one packet.
        let packets = try await connection.query(
            """
            SELECT p.id, p.split, p.total_fen, p.share_count, p.seed,
              COALESCE(array_agg(s.amount_fen ORDER BY s.share_index) FILTER (WHERE s.amount_fen IS NOT NULL), '{}')
            FROM red_packets p LEFT JOIN red_packet_shares s ON s.red_packet_id = p.id
            GROUP BY p.id ORDER BY p.id
            """, logger: logger)
        for try await (id, split, totalFen, shareCount, seed, stored) in packets.decode((Int64, String, Int64, Int, Int64, [Int64]).self) {
            if let problem = RedPacketAudit.shareProblem(split: split, totalFen: totalFen, shareCount: shareCount, seed: seed, stored: stored) {
                report.add(.redPacketInconsistent(redPacketID: id, reason: problem))
            }
        }
        for check in RedPacketAudit.movementChecks {
            for id in try await connection.values(PostgresQuery(unsafeSQL: check.sql), as: Int64.self, logger: logger) {
                report.add(.redPacketInconsistent(redPacketID: id, reason: check.reason))
            }
        }
        let stuck = try await connection.rows(
            PostgresQuery(unsafeSQL: RedPacketAudit.expiredUnsettledSQL(now: now)), as: (Int64, Int64, Int64).self, logger: logger)
        for (id, expiresAt, unclaimedFen) in stuck {
            report.add(.redPacketNotRefunded(redPacketID: id, expiresAt: expiresAt, unclaimedFen: unclaimedFen))
        }
    }
}
