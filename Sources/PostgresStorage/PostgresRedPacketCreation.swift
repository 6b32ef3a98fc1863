import Core
import Ledger
import Logging
import PostgresNIO
import StorageModel

/// Creates a red packet inside the caller's transaction on PostgreSQL (Storage's
/// `RedPacketCreation`): the checks in `LedgerError` order, then the total into escrow, the
/// packet, its drawn shares, its audience and the `redpacket.created` event.
///
/// The sender's and the escrow account's rows are locked first (ascending ids, like transfer
/// batches), so the idempotency lookup after them sees a twin request another node committed
/// while this one waited. Every red-packet movement locks the escrow row: red packets serialise
/// on it across nodes, as they do on SQLite's single writer.
enum PostgresRedPacketCreation {
    static func apply(
        _ request: RedPacketRequest, seed: UInt64, limits: LedgerLimits, at now: Int64, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> RedPacketResult {
        if let error = request.fieldError(limits: limits) { return .rejected(error) }
        let sender = AccountID.user(request.sender)
        let balancesFen = try await PostgresLedgerPosting.lockAccounts([sender, .redPacketEscrow], on: connection, logger: logger)
        guard let senderFen = balancesFen[sender], let escrowFen = balancesFen[.redPacketEscrow] else {
            return .rejected(.accountNotFound)
        }
        if let earlier = try await PostgresLedgerPosting.transfer(
            initiator: request.sender, key: request.idempotencyKey, on: connection, logger: logger)
        {
            guard earlier.fingerprint == request.fingerprint, earlier.receipt.kind == .redPacketCreate,
                let packet = try await PostgresRedPacketRows.packet(
                    fundTransferID: earlier.receipt.transferID, on: connection, logger: logger)
            else { return .rejected(.idempotencyKeyReused) }
            return .replayed(packet.receipt)
        }
        if senderFen < request.totalFen { return .rejected(.insufficientFunds) }
        if escrowFen.addingReportingOverflow(request.totalFen).overflow { return .rejected(.exceedsLimit) }

        let fund = try await PostgresLedgerPosting(
            kind: .redPacketCreate, debit: sender, credit: .redPacketEscrow, amountFen: request.totalFen,
            initiator: request.sender, idempotencyKey: request.idempotencyKey, fingerprint: request.fingerprint
        ).write(at: now, on: connection, logger: logger)
        let expiresAt = now + limits.redPacketLifetimeSeconds
        let circleID: String? = if case .circle(let circle) = request.audience { circle.rawValue } else { nil }
        let ids = try await connection.values(
            """
            INSERT INTO red_packets (sender_id, split, total_fen, share_count, seed, audience_kind, audience_circle_id,
              fund_transfer_id, created_at, expires_at)
            VALUES (\(request.sender.rawValue), \(request.split.rawValue), \(request.totalFen), \(request.shareCount),
              \(Int64(bitPattern: seed)), \(request.audience.kindName), \(circleID), \(fund.transferID), \(now), \(expiresAt))
            RETURNING id
            """, as: Int64.self, logger: logger)
        guard let rawID = ids.first else { throw PostgresLedgerRows.Corrupt(reason: "INSERT returned no red packet id") }
        let id = RedPacketID(rawID)

        let shares = RedPacketShares.draw(
            split: request.split, totalFen: request.totalFen, shareCount: request.shareCount, seed: seed)
        try await connection.query(
            """
            INSERT INTO red_packet_shares (red_packet_id, share_index, amount_fen)
            SELECT \(rawID), i - 1, amount_fen FROM unnest(\(shares)::bigint[]) WITH ORDINALITY AS s(amount_fen, i)
            """, logger: logger)
        var listed: [UserID] = []
        if case .users(let users) = request.audience {
            listed = Set(users).sorted()
            try await connection.query(
                """
                INSERT INTO red_packet_audience (red_packet_id, user_id)
                SELECT \(rawID), u FROM unnest(\(listed.map(\.rawValue))::bigint[]) AS u
                """, logger: logger)
        }
        try await PostgresEventLog.append(
            [.redPacketCreated(request, id: id, fundTransferID: fund.transferID, at: now)], on: connection, logger: logger)
        let audience: RedPacketAudience = listed.isEmpty ? request.audience : .users(listed)
        return .committed(
            RedPacketReceipt(
                id: id, sender: request.sender, split: request.split, totalFen: request.totalFen,
                shareCount: request.shareCount, audience: audience, seed: seed, fundTransferID: fund.transferID,
                createdAt: now, expiresAt: expiresAt))
    }
}
