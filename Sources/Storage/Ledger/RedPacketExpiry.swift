import Core
import GRDB
import Ledger

/// Refunds the unclaimed remainder of expired red packets to their senders.
enum RedPacketExpiry {
    /// Settles up to `limit` unsettled packets whose `expires_at` is at or before `now`, oldest
    /// first. Idempotent: a settled packet is never refunded again (the schema forbids it too).
    static func sweep(now: Int64, limit: Int, in db: Database) throws -> [RedPacketRefund] {
        let expired = try Row.fetchAll(
            db,
            sql: """
                SELECT id, sender_id FROM red_packets
                WHERE settled_at IS NULL AND expires_at <= ? ORDER BY expires_at, id LIMIT ?
                """,
            arguments: [now, limit])
        var refunds: [RedPacketRefund] = []
        for row in expired {
            let id = RedPacketID(row["id"] as Int64)
            let sender = UserID(row["sender_id"] as Int64)
            let remainderFen =
                try Int64.fetchOne(
                    db,
                    sql: "SELECT COALESCE(SUM(amount_fen), 0) FROM red_packet_shares WHERE red_packet_id = ? AND claimer_id IS NULL",
                    arguments: [id.rawValue]) ?? 0
            // A packet is settled at its last claim, so an unsettled one always has a remainder;
            // refusing to move 0 fen keeps the schema's amount_fen > 0 true even if that changes.
            guard remainderFen > 0 else {
                try db.execute(sql: "UPDATE red_packets SET settled_at = ? WHERE id = ?", arguments: [now, id.rawValue])
                continue
            }
            let transfer = try LedgerPosting(
                kind: .redPacketRefund, debit: .redPacketEscrow, credit: .user(sender), amountFen: remainderFen
            ).write(at: now, in: db)
            try db.execute(
                sql: "UPDATE red_packets SET settled_at = ?, refund_transfer_id = ? WHERE id = ?",
                arguments: [now, transfer.transferID, id.rawValue])
            let refund = RedPacketRefund(redPacketID: id, sender: sender, amountFen: remainderFen, transferID: transfer.transferID)
            try EventLog.append(.redPacketRefunded(refund, at: now), in: db)
            refunds.append(refund)
        }
        return refunds
    }
}
