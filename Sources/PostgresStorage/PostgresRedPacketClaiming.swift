import Core
import Ledger
import Logging
import PostgresNIO
import StorageModel

/// Claims a red packet's next share inside the caller's transaction on PostgreSQL (Storage's
/// `RedPacketClaiming`), with the same check order: the packet exists, the claimer has an
/// account, an earlier claim by the same user (replayed), membership of a listed audience,
/// expiry, and finally whether any share is left.
enum PostgresRedPacketClaiming {
    /// The outcome decided before membership: not found, no account, or a replay; `nil` to go on.
    static func earlyOutcome(
        of packet: PostgresRedPacketRecord?, claimer: UserID, on connection: PostgresConnection, logger: Logger
    ) async throws -> ClaimResult? {
        guard let packet else { return .rejected(.redPacketNotFound) }
        let account = try await connection.values(
            "SELECT 1 FROM ledger_accounts WHERE id = \(AccountID.user(claimer).rawValue)", as: Int.self, logger: logger)
        guard !account.isEmpty else { return .rejected(.accountNotFound) }
        if let earlier = try await PostgresRedPacketRows.claim(of: packet.receipt.id, by: claimer, on: connection, logger: logger) {
            return .replayed(earlier)
        }
        return nil
    }

    /// Claims the lowest unclaimed share. The packet's row is locked first, so claims of one
    /// packet from several nodes run one after the other and each sees the shares before it.
    static func apply(_ id: RedPacketID, claimer: UserID, at now: Int64, on connection: PostgresConnection, logger: Logger)
        async throws -> ClaimResult
    {
        let record = try await PostgresRedPacketRows.packet(id: id, lock: true, on: connection, logger: logger)
        if let outcome = try await earlyOutcome(of: record, claimer: claimer, on: connection, logger: logger) { return outcome }
        guard let packet = record else { return .rejected(.redPacketNotFound) }
        if case .users = packet.receipt.audience,
            try await !PostgresRedPacketRows.isListed(claimer, in: id, on: connection, logger: logger)
        {
            return .rejected(.notInAudience)
        }
        if now >= packet.receipt.expiresAt || packet.refundTransferID != nil { return .rejected(.redPacketExpired) }
        let next = try await connection.rows(
            """
            SELECT share_index, amount_fen FROM red_packet_shares
            WHERE red_packet_id = \(id.rawValue) AND claimer_id IS NULL ORDER BY share_index LIMIT 1
            """, as: (Int, Int64).self, logger: logger)
        guard let (shareIndex, amountFen) = next.first else { return .rejected(.redPacketEmpty) }

        _ = try await PostgresLedgerPosting.lockAccounts([.redPacketEscrow, .user(claimer)], on: connection, logger: logger)
        let transfer = try await PostgresLedgerPosting(
            kind: .redPacketClaim, debit: .redPacketEscrow, credit: .user(claimer), amountFen: amountFen
        ).write(at: now, on: connection, logger: logger)
        try await connection.query(
            """
            UPDATE red_packet_shares SET claimer_id = \(claimer.rawValue), claim_transfer_id = \(transfer.transferID), claimed_at = \(now)
            WHERE red_packet_id = \(id.rawValue) AND share_index = \(shareIndex)
            """, logger: logger)
        if shareIndex == packet.receipt.shareCount - 1 {
            // The last share: the packet no longer holds escrow, so the expiry sweep can skip it.
            try await connection.query("UPDATE red_packets SET settled_at = \(now) WHERE id = \(id.rawValue)", logger: logger)
        }
        let claim = RedPacketClaim(
            redPacketID: id, claimer: claimer, shareIndex: shareIndex, amountFen: amountFen, transferID: transfer.transferID,
            claimedAt: now)
        try await PostgresEventLog.append([.redPacketClaimed(claim, sender: packet.receipt.sender)], on: connection, logger: logger)
        return .committed(claim)
    }
}
