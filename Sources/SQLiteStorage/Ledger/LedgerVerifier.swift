import Core
import GRDB
import Ledger

/// `ledger verify`: proves the ledger from its entries, in one read transaction so that it sees
/// a single committed snapshot even while transfers keep committing.
///
/// 1. Replays every entry in commit order (`BalanceReplay`): each stored balance equals the sum
///    of its entries, no account that must stay non-negative ever went below zero, and all
///    balances sum to zero.
/// 2. Every transfer has exactly two entries, −amount on its debit account and +amount on its
///    credit account (so it sums to zero).
/// 3. Red packets: escrow holds exactly the unclaimed shares of unsettled packets; each packet's
///    shares are the ones its seed draws; claims and refunds moved exactly those shares; no
///    packet expired at `now` is still unsettled (its remainder stuck in escrow).
///
/// Streams rows (one cursor over the entries, aggregate SQL for the rest) so a million entries
/// take well under a few seconds and constant memory besides one balance per account.
public enum LedgerVerifier {
    /// Verifies the ledger in `db` as of `now` (epoch seconds, which decides what has expired);
    /// the caller provides the read transaction.
    public static func verify(_ db: Database, now: Int64) throws -> LedgerReport {
        var report = LedgerReport()
        try replayEntries(db, into: &report)
        try checkTransfers(db, into: &report)
        try checkRedPackets(db, now: now, into: &report)
        return report
    }

    private static func replayEntries(_ db: Database, into report: inout LedgerReport) throws {
        var replay = BalanceReplay()
        let entries = try Row.fetchCursor(db, sql: "SELECT id, account_id, amount_fen FROM ledger_entries ORDER BY id")
        while let row = try entries.next() {
            replay.apply(entryID: row[0], account: AccountID(rawValue: row[1]), amountFen: row[2])
        }
        var stored: [(account: AccountID, balanceFen: Int64)] = []
        let accounts = try Row.fetchCursor(db, sql: "SELECT id, balance_fen FROM ledger_accounts ORDER BY id")
        while let row = try accounts.next() { stored.append((AccountID(rawValue: row[0]), row[1])) }
        replay.finish(stored: stored, into: &report)
        report.accountCount = stored.count
        report.entryCount = replay.entryCount
        report.moneyInSystemFen = -(stored.first { $0.account == .external }?.balanceFen ?? 0)
    }

    private static func checkTransfers(_ db: Database, into report: inout LedgerReport) throws {
        report.transferCount = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_transfers") ?? 0
        let offenders = try Row.fetchCursor(
            db,
            sql: """
                SELECT t.id, COALESCE(SUM(e.amount_fen), 0) AS sum_fen,
                  COUNT(e.id) = 2
                    AND SUM(e.account_id = t.debit_account_id AND e.amount_fen = -t.amount_fen) = 1
                    AND SUM(e.account_id = t.credit_account_id AND e.amount_fen = t.amount_fen) = 1 AS agrees
                FROM ledger_transfers t LEFT JOIN ledger_entries e ON e.transfer_id = t.id
                GROUP BY t.id
                HAVING sum_fen <> 0 OR NOT agrees
                """)
        while let row = try offenders.next() {
            let sumFen: Int64 = row["sum_fen"]
            if sumFen != 0 { report.add(.unbalancedTransfer(transferID: row["id"], sumFen: sumFen)) }
            if !(row["agrees"] as Bool? ?? false) { report.add(.entriesDisagreeWithTransfer(transferID: row["id"])) }
        }
    }

    private static func checkRedPackets(_ db: Database, now: Int64, into report: inout LedgerReport) throws {
        report.redPacketCount = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM red_packets") ?? 0
        let escrowFen = try LedgerRows.balanceFen(of: .redPacketEscrow, in: db) ?? 0
        let outstandingFen = try Int64.fetchOne(db, sql: RedPacketAudit.outstandingSQL) ?? 0
        if escrowFen != outstandingFen { report.add(.escrowMismatch(escrowFen: escrowFen, outstandingFen: outstandingFen)) }
        try checkShares(db, into: &report)
        for check in RedPacketAudit.movementChecks {
            let ids = try Int64.fetchCursor(db, sql: check.sql)
            while let id = try ids.next() { report.add(.redPacketInconsistent(redPacketID: id, reason: check.reason)) }
        }
        let stuck = try Row.fetchCursor(db, sql: RedPacketAudit.expiredUnsettledSQL(now: now))
        while let row = try stuck.next() {
            report.add(.redPacketNotRefunded(redPacketID: row[0], expiresAt: row[1], unclaimedFen: row[2]))
        }
    }

    /// Each packet's shares are exactly what its split and seed draw. Merges two cursors in id
    /// order (the shares table is clustered by packet and index), so memory stays one packet.
    private static func checkShares(_ db: Database, into report: inout LedgerReport) throws {
        let packets = try Row.fetchCursor(
            db, sql: "SELECT id, split, total_fen, share_count, seed FROM red_packets ORDER BY id")
        let shares = try Row.fetchCursor(
            db, sql: "SELECT red_packet_id, amount_fen FROM red_packet_shares ORDER BY red_packet_id, share_index")
        var pending = try shares.next()
        while let packet = try packets.next() {
            let id: Int64 = packet["id"]
            var stored: [Int64] = []
            while let share = pending, (share[0] as Int64) <= id {
                if (share[0] as Int64) == id { stored.append(share[1]) }
                pending = try shares.next()
            }
            if let problem = RedPacketAudit.shareProblem(
                split: packet["split"], totalFen: packet["total_fen"], shareCount: packet["share_count"], seed: packet["seed"],
                stored: stored)
            {
                report.add(.redPacketInconsistent(redPacketID: id, reason: problem))
            }
        }
    }
}
