import Core
import GRDB
import Ledger

/// Claims a red packet's next share inside the caller's write transaction.
///
/// Check order: the packet exists, the claimer has an account, an earlier claim by the same user
/// (replayed: a claim is a fact even after expiry or a change of audience), membership of a
/// listed audience, expiry, and finally whether any share is left.
enum RedPacketClaiming {
    /// The outcome decided before membership: not found, no account, or a replay; `nil` to go on.
    /// Also run outside the transaction by the wallet, before it asks the (slow, asynchronous)
    /// social graph about a friends or circle audience.
    static func earlyOutcome(of packet: RedPacketRecord?, claimer: UserID, in db: Database) throws -> ClaimResult? {
        guard let packet else { return .rejected(.redPacketNotFound) }
        guard try LedgerRows.balanceFen(of: .user(claimer), in: db) != nil else { return .rejected(.accountNotFound) }
        if let earlier = try RedPacketRows.claim(of: packet.receipt.id, by: claimer, in: db) { return .replayed(earlier) }
        return nil
    }

    /// Claims the lowest unclaimed share. A friends or circle audience must have been checked
    /// by the caller; a listed audience is checked here.
    static func apply(_ id: RedPacketID, claimer: UserID, at now: Int64, in db: Database) throws -> ClaimResult {
        let record = try RedPacketRows.packet(id: id, in: db)
        if let outcome = try earlyOutcome(of: record, claimer: claimer, in: db) { return outcome }
        guard let packet = record else { return .rejected(.redPacketNotFound) }
        if case .users = packet.receipt.audience, try !RedPacketRows.isListed(claimer, in: id, db: db) {
            return .rejected(.notInAudience)
        }
        if now >= packet.receipt.expiresAt || packet.refundTransferID != nil { return .rejected(.redPacketExpired) }
        let next = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT share_index, amount_fen FROM red_packet_shares
                    WHERE red_packet_id = ? AND claimer_id IS NULL ORDER BY share_index LIMIT 1
                    """),
            arguments: [id.rawValue])
        guard let next else { return .rejected(.redPacketEmpty) }
        let shareIndex: Int = next["share_index"]
        let amountFen: Int64 = next["amount_fen"]

        let transfer = try LedgerPosting(
            kind: .redPacketClaim, debit: .redPacketEscrow, credit: .user(claimer), amountFen: amountFen
        ).write(at: now, in: db)
        try db.cachedStatement(
            sql: """
                UPDATE red_packet_shares SET claimer_id = ?, claim_transfer_id = ?, claimed_at = ?
                WHERE red_packet_id = ? AND share_index = ?
                """
        ).execute(arguments: [claimer.rawValue, transfer.transferID, now, id.rawValue, shareIndex])
        if shareIndex == packet.receipt.shareCount - 1 {
            // The last share: the packet no longer holds escrow, so the expiry sweep can skip it.
            try db.cachedStatement(sql: "UPDATE red_packets SET settled_at = ? WHERE id = ?")
                .execute(arguments: [now, id.rawValue])
        }
        let claim = RedPacketClaim(
            redPacketID: id, claimer: claimer, shareIndex: shareIndex, amountFen: amountFen,
            transferID: transfer.transferID, claimedAt: now)
        try EventLog.append(.redPacketClaimed(claim, sender: packet.receipt.sender), in: db)
        return .committed(claim)
    }
}
