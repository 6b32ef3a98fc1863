import Core
import GRDB
import Ledger

/// Creates a red packet inside the caller's write transaction: the checks in `LedgerError`
/// order, then the total into escrow, the packet, its drawn shares, its audience and the
/// `redpacket.created` event.
enum RedPacketCreation {
    /// `seed` is the request's seed, or a fresh one drawn by the caller when it had none.
    static func apply(
        _ request: RedPacketRequest, seed: UInt64, limits: LedgerLimits, at now: Int64, in db: Database
    ) throws -> RedPacketResult {
        if let error = request.fieldError(limits: limits) { return .rejected(error) }
        let sender = AccountID.user(request.sender)
        guard let senderFen = try LedgerRows.balanceFen(of: sender, in: db),
            let escrowFen = try LedgerRows.balanceFen(of: .redPacketEscrow, in: db)
        else { return .rejected(.accountNotFound) }
        if let earlier = try LedgerRows.transfer(initiator: request.sender, key: request.idempotencyKey, in: db) {
            guard earlier.fingerprint == request.fingerprint, earlier.receipt.kind == .redPacketCreate,
                let packet = try RedPacketRows.packet(fundTransferID: earlier.receipt.transferID, in: db)
            else { return .rejected(.idempotencyKeyReused) }
            return .replayed(packet.receipt)
        }
        if senderFen < request.totalFen { return .rejected(.insufficientFunds) }
        if escrowFen.addingReportingOverflow(request.totalFen).overflow { return .rejected(.exceedsLimit) }

        let fund = try LedgerPosting(
            kind: .redPacketCreate, debit: sender, credit: .redPacketEscrow, amountFen: request.totalFen,
            initiator: request.sender, idempotencyKey: request.idempotencyKey, fingerprint: request.fingerprint
        ).write(at: now, in: db)
        let expiresAt = now + limits.redPacketLifetimeSeconds
        let circleID: String? = if case .circle(let circle) = request.audience { circle.rawValue } else { nil }
        try db.cachedStatement(
            sql: """
                INSERT INTO red_packets (sender_id, split, total_fen, share_count, seed, audience_kind, audience_circle_id,
                  fund_transfer_id, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            request.sender.rawValue, request.split.rawValue, request.totalFen, request.shareCount,
            Int64(bitPattern: seed), request.audience.kindName, circleID, fund.transferID, now, expiresAt,
        ])
        let id = RedPacketID(db.lastInsertedRowID)

        let shares = RedPacketShares.draw(
            split: request.split, totalFen: request.totalFen, shareCount: request.shareCount, seed: seed)
        let insertShare = try db.cachedStatement(
            sql: "INSERT INTO red_packet_shares (red_packet_id, share_index, amount_fen) VALUES (?, ?, ?)")
        for (index, amountFen) in shares.enumerated() {
            try insertShare.execute(arguments: [id.rawValue, index, amountFen])
        }
        var listed: [UserID] = []
        if case .users(let users) = request.audience {
            listed = Set(users).sorted()
            let insertMember = try db.cachedStatement(
                sql: "INSERT INTO red_packet_audience (red_packet_id, user_id) VALUES (?, ?)")
            for user in listed { try insertMember.execute(arguments: [id.rawValue, user.rawValue]) }
        }
        try EventLog.append(.redPacketCreated(request, id: id, fundTransferID: fund.transferID, at: now), in: db)
        let audience: RedPacketAudience = listed.isEmpty ? request.audience : .users(listed)
        return .committed(
            RedPacketReceipt(
                id: id, sender: request.sender, split: request.split, totalFen: request.totalFen,
                shareCount: request.shareCount, audience: audience, seed: seed, fundTransferID: fund.transferID,
                createdAt: now, expiresAt: expiresAt))
    }
}
