import Core
import Ledger
import Logging
import PostgresNIO

/// Reads of the red-packet tables on PostgreSQL (SQLiteStorage's `RedPacketRows`).
enum PostgresRedPacketRows {
    static let columns = """
        id, sender_id, split, total_fen, share_count, seed, audience_kind, audience_circle_id, fund_transfer_id, \
        created_at, expires_at, settled_at, refund_transfer_id
        """
    typealias Row = (Int64, Int64, String, Int64, Int, Int64, String, String?, Int64, Int64, Int64, Int64?, Int64?)

    /// `lock`: `FOR UPDATE`, so claims and the expiry sweep of one packet run one at a time
    /// across nodes.
    static func packet(id: RedPacketID, lock: Bool = false, on connection: PostgresConnection, logger: Logger) async throws
        -> RedPacketRecord?
    {
        let rows = try await connection.rows(
            "SELECT \(unescaped: columns) FROM red_packets WHERE id = \(id.rawValue)\(unescaped: lock ? " FOR UPDATE" : "")",
            as: Row.self, logger: logger)
        guard let row = rows.first else { return nil }
        return try await record(from: row, on: connection, logger: logger)
    }

    static func packet(fundTransferID: Int64, on connection: PostgresConnection, logger: Logger) async throws -> RedPacketRecord? {
        let rows = try await connection.rows(
            "SELECT \(unescaped: columns) FROM red_packets WHERE fund_transfer_id = \(fundTransferID)", as: Row.self, logger: logger)
        guard let row = rows.first else { return nil }
        return try await record(from: row, on: connection, logger: logger)
    }

    static func claim(of packet: RedPacketID, by claimer: UserID, on connection: PostgresConnection, logger: Logger) async throws
        -> RedPacketClaim?
    {
        try await connection.rows(
            """
            SELECT share_index, amount_fen, claim_transfer_id, claimed_at FROM red_packet_shares
            WHERE red_packet_id = \(packet.rawValue) AND claimer_id = \(claimer.rawValue)
            """, as: (Int, Int64, Int64, Int64).self, logger: logger
        ).first.map { shareIndex, amountFen, transferID, claimedAt in
            RedPacketClaim(
                redPacketID: packet, claimer: claimer, shareIndex: shareIndex, amountFen: amountFen, transferID: transferID,
                claimedAt: claimedAt)
        }
    }

    /// Every claim of a packet, in share order.
    static func claims(of packet: RedPacketID, on connection: PostgresConnection, logger: Logger) async throws -> [RedPacketClaim] {
        try await connection.rows(
            """
            SELECT share_index, amount_fen, claimer_id, claim_transfer_id, claimed_at FROM red_packet_shares
            WHERE red_packet_id = \(packet.rawValue) AND claimer_id IS NOT NULL ORDER BY share_index
            """, as: (Int, Int64, Int64, Int64, Int64).self, logger: logger
        ).map { shareIndex, amountFen, claimer, transferID, claimedAt in
            RedPacketClaim(
                redPacketID: packet, claimer: UserID(claimer), shareIndex: shareIndex, amountFen: amountFen, transferID: transferID,
                claimedAt: claimedAt)
        }
    }

    static func isListed(_ user: UserID, in packet: RedPacketID, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await !connection.values(
            "SELECT 1 FROM red_packet_audience WHERE red_packet_id = \(packet.rawValue) AND user_id = \(user.rawValue)",
            as: Int.self, logger: logger
        ).isEmpty
    }

    private static func record(from row: Row, on connection: PostgresConnection, logger: Logger) async throws -> RedPacketRecord {
        let (id, sender, splitText, totalFen, shareCount, seed, audienceKind, circleID, fundTransferID, createdAt, expiresAt,
            settledAt, refundTransferID) = row
        guard let split = RedPacketSplit(rawValue: splitText) else {
            throw PostgresLedgerRows.Corrupt(reason: "unknown red packet split \(splitText)")
        }
        let audience: RedPacketAudience
        switch (audienceKind, circleID) {
        case ("friends", _):
            audience = .friends
        case ("circle", let circleID?):
            audience = .circle(CircleID(circleID))
        default:
            let users = try await connection.values(
                "SELECT user_id FROM red_packet_audience WHERE red_packet_id = \(id) ORDER BY user_id", as: Int64.self, logger: logger)
            audience = .users(users.map(UserID.init(rawValue:)))
        }
        let receipt = RedPacketReceipt(
            id: RedPacketID(id), sender: UserID(sender), split: split, totalFen: totalFen, shareCount: shareCount,
            audience: audience, seed: UInt64(bitPattern: seed), fundTransferID: fundTransferID, createdAt: createdAt,
            expiresAt: expiresAt)
        return RedPacketRecord(receipt: receipt, settledAt: settledAt, refundTransferID: refundTransferID)
    }
}
