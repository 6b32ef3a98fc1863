import Ledger

/// What `ledger verify` checks of red packets, shared by both backends: the SQL is plain enough
/// for SQLite and PostgreSQL alike, and the share check is Swift.
public enum RedPacketAudit {
    /// Fen escrow must hold: the unclaimed shares of unsettled packets.
    public static let outstandingSQL = """
        SELECT COALESCE(SUM(s.amount_fen), 0) FROM red_packet_shares s JOIN red_packets p ON p.id = s.red_packet_id
        WHERE s.claimer_id IS NULL AND p.settled_at IS NULL
        """

    /// Packets expired at `now` but never settled, so their unclaimed shares sit in escrow:
    /// rows of (id, expires_at, unclaimed fen), in id order. The expiry sweep settles every such
    /// packet, so a row here means it has not run (or failed) since the packet expired.
    public static func expiredUnsettledSQL(now: Int64) -> String {
        """
        SELECT p.id, p.expires_at, CAST(COALESCE(SUM(s.amount_fen), 0) AS BIGINT) FROM red_packets p
        LEFT JOIN red_packet_shares s ON s.red_packet_id = p.id AND s.claimer_id IS NULL
        WHERE p.settled_at IS NULL AND p.expires_at <= \(now)
        GROUP BY p.id, p.expires_at ORDER BY p.id
        """
    }

    /// The funding, every claim and the refund moved exactly what the packet says; each query
    /// returns the ids of the packets that break the rule.
    public static let movementChecks: [(reason: String, sql: String)] = [
        (
            "funding transfer does not move the total from the sender to escrow",
            """
            SELECT p.id FROM red_packets p JOIN ledger_transfers t ON t.id = p.fund_transfer_id
            WHERE t.kind <> 'redpacket_create' OR t.amount_fen <> p.total_fen OR t.debit_account_id <> p.sender_id
            """
        ),
        (
            "a claim transfer does not move its share to its claimer",
            """
            SELECT DISTINCT s.red_packet_id FROM red_packet_shares s JOIN ledger_transfers t ON t.id = s.claim_transfer_id
            WHERE t.kind <> 'redpacket_claim' OR t.amount_fen <> s.amount_fen OR t.credit_account_id <> s.claimer_id
            """
        ),
        (
            "the refund does not return the unclaimed shares to the sender",
            """
            SELECT p.id FROM red_packets p JOIN ledger_transfers t ON t.id = p.refund_transfer_id
            WHERE t.kind <> 'redpacket_refund' OR t.credit_account_id <> p.sender_id OR t.amount_fen <>
              (SELECT COALESCE(SUM(amount_fen), 0) FROM red_packet_shares WHERE red_packet_id = p.id AND claimer_id IS NULL)
            """
        ),
        (
            "settled with shares unclaimed and no refund",
            """
            SELECT p.id FROM red_packets p
            WHERE p.settled_at IS NOT NULL AND p.refund_transfer_id IS NULL
              AND EXISTS (SELECT 1 FROM red_packet_shares WHERE red_packet_id = p.id AND claimer_id IS NULL)
            """
        ),
    ]

    /// Why a packet's stored shares are not what its split and seed draw, or `nil` when they are.
    public static func shareProblem(split splitText: String, totalFen: Int64, shareCount: Int, seed: Int64, stored: [Int64]) -> String? {
        guard let split = RedPacketSplit(rawValue: splitText) else { return "unknown split" }
        guard shareCount >= 1, Int64(shareCount) <= totalFen else { return "\(shareCount) shares for \(totalFen) fen" }
        let drawn = RedPacketShares.draw(split: split, totalFen: totalFen, shareCount: shareCount, seed: UInt64(bitPattern: seed))
        return stored == drawn ? nil : "stored shares differ from the shares its seed draws"
    }
}
