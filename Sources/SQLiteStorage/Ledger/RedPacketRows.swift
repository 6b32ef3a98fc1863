import Core
import GRDB
import Ledger

/// Reads of the red-packet tables.
enum RedPacketRows {
    static func packet(id: RedPacketID, in db: Database) throws -> RedPacketRecord? {
        let statement = try db.cachedStatement(sql: "SELECT * FROM red_packets WHERE id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [id.rawValue]) else { return nil }
        return try record(from: row, in: db)
    }

    static func packet(fundTransferID: Int64, in db: Database) throws -> RedPacketRecord? {
        let statement = try db.cachedStatement(sql: "SELECT * FROM red_packets WHERE fund_transfer_id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [fundTransferID]) else { return nil }
        return try record(from: row, in: db)
    }

    static func claim(of packet: RedPacketID, by claimer: UserID, in db: Database) throws -> RedPacketClaim? {
        let statement = try db.cachedStatement(
            sql: """
                SELECT share_index, amount_fen, claim_transfer_id, claimed_at FROM red_packet_shares
                WHERE red_packet_id = ? AND claimer_id = ?
                """)
        return try Row.fetchOne(statement, arguments: [packet.rawValue, claimer.rawValue]).map { row in
            RedPacketClaim(
                redPacketID: packet, claimer: claimer, shareIndex: row["share_index"], amountFen: row["amount_fen"],
                transferID: row["claim_transfer_id"], claimedAt: row["claimed_at"])
        }
    }

    /// Every claim of a packet, in share order.
    static func claims(of packet: RedPacketID, in db: Database) throws -> [RedPacketClaim] {
        let statement = try db.cachedStatement(
            sql: """
                SELECT share_index, amount_fen, claimer_id, claim_transfer_id, claimed_at FROM red_packet_shares
                WHERE red_packet_id = ? AND claimer_id IS NOT NULL ORDER BY share_index
                """)
        return try Row.fetchAll(statement, arguments: [packet.rawValue]).map { row in
            RedPacketClaim(
                redPacketID: packet, claimer: UserID(row["claimer_id"] as Int64), shareIndex: row["share_index"],
                amountFen: row["amount_fen"], transferID: row["claim_transfer_id"], claimedAt: row["claimed_at"])
        }
    }

    static func isListed(_ user: UserID, in packet: RedPacketID, db: Database) throws -> Bool {
        let statement = try db.cachedStatement(sql: "SELECT 1 FROM red_packet_audience WHERE red_packet_id = ? AND user_id = ?")
        return try Bool.fetchOne(statement, arguments: [packet.rawValue, user.rawValue]) ?? false
    }

    private static func record(from row: Row, in db: Database) throws -> RedPacketRecord {
        let id = RedPacketID(row["id"] as Int64)
        let splitText: String = row["split"]
        let audienceKind: String = row["audience_kind"]
        guard let split = RedPacketSplit(rawValue: splitText) else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "unknown red packet split \(splitText)")
        }
        let audience: RedPacketAudience
        switch audienceKind {
        case "friends":
            audience = .friends
        case "circle":
            audience = .circle(CircleID(row["audience_circle_id"] as String))
        default:
            let users = try Int64.fetchAll(
                db.cachedStatement(sql: "SELECT user_id FROM red_packet_audience WHERE red_packet_id = ? ORDER BY user_id"),
                arguments: [id.rawValue])
            audience = .users(users.map(UserID.init(rawValue:)))
        }
        let receipt = RedPacketReceipt(
            id: id, sender: UserID(row["sender_id"] as Int64), split: split, totalFen: row["total_fen"],
            shareCount: row["share_count"], audience: audience, seed: UInt64(bitPattern: row["seed"] as Int64),
            fundTransferID: row["fund_transfer_id"], createdAt: row["created_at"], expiresAt: row["expires_at"])
        return RedPacketRecord(receipt: receipt, settledAt: row["settled_at"], refundTransferID: row["refund_transfer_id"])
    }
}
