import Core
import Ledger
import Logging
import PostgresNIO
import StorageModel

/// Refunds the unclaimed remainder of expired red packets to their senders on PostgreSQL
/// (Storage's `RedPacketExpiry`).
enum PostgresRedPacketExpiry {
    /// Settles up to `limit` unsettled packets whose `expires_at` is at or before `now`, oldest
    /// first. Packets another node is settling or claiming right now are skipped (`SKIP
    /// LOCKED`): sweeps on several nodes share the work, and a skipped packet is swept next time.
    /// Idempotent: a settled packet is never refunded again (the schema forbids it too).
    static func sweep(now: Int64, limit: Int, on connection: PostgresConnection, logger: Logger) async throws -> [RedPacketRefund] {
        let expired = try await connection.rows(
            """
            SELECT id, sender_id FROM red_packets
            WHERE settled_at IS NULL AND expires_at <= \(now) ORDER BY expires_at, id LIMIT \(limit)
            FOR UPDATE SKIP LOCKED
            """, as: (Int64, Int64).self, logger: logger)
        var refunds: [RedPacketRefund] = []
        for (rawID, rawSender) in expired {
            let id = RedPacketID(rawID)
            let sender = UserID(rawSender)
            let remainderFen =
                try await connection.values(
                    """
                    SELECT COALESCE(SUM(amount_fen), 0)::bigint FROM red_packet_shares
                    WHERE red_packet_id = \(rawID) AND claimer_id IS NULL
                    """, as: Int64.self, logger: logger
                ).first ?? 0
            // A packet is settled at its last claim, so an unsettled one always has a remainder;
            // refusing to move 0 fen keeps the schema's amount_fen > 0 true even if that changes.
            guard remainderFen > 0 else {
                try await connection.query("UPDATE red_packets SET settled_at = \(now) WHERE id = \(rawID)", logger: logger)
                continue
            }
            _ = try await PostgresLedgerPosting.lockAccounts([.redPacketEscrow, .user(sender)], on: connection, logger: logger)
            let transfer = try await PostgresLedgerPosting(
                kind: .redPacketRefund, debit: .redPacketEscrow, credit: .user(sender), amountFen: remainderFen
            ).write(at: now, on: connection, logger: logger)
            try await connection.query(
                "UPDATE red_packets SET settled_at = \(now), refund_transfer_id = \(transfer.transferID) WHERE id = \(rawID)",
                logger: logger)
            let refund = RedPacketRefund(redPacketID: id, sender: sender, amountFen: remainderFen, transferID: transfer.transferID)
            try await PostgresEventLog.append([.redPacketRefunded(refund, at: now)], on: connection, logger: logger)
            refunds.append(refund)
        }
        return refunds
    }
}
