import Core
import GRDB
import Ledger

extension Wallet {
    /// Sends a red packet: the total moves from the sender to escrow now, and its shares are
    /// drawn now from a recorded seed. Claimable until `limits.redPacketLifetimeSeconds` later.
    public func createRedPacket(_ request: RedPacketRequest) async throws -> RedPacketResult {
        if let error = request.fieldError(limits: limits) { return .rejected(error) }
        var system = SystemRandomNumberGenerator()
        let seed = request.seed ?? system.next()
        let (limits, now) = (limits, clock.nowEpochSeconds)
        return try await database.pool.write { db in
            try RedPacketCreation.apply(request, seed: seed, limits: limits, at: now, in: db)
        }
    }

    /// Claims the next share of red packet `id` for `claimer`. A second claim by the same user
    /// is replayed (same share, nothing moves).
    public func claimRedPacket(_ id: RedPacketID, by claimer: UserID) async throws -> ClaimResult {
        // Friends and circles belong to the social graph: ask it outside the write transaction,
        // which must stay short. The transaction re-checks everything else.
        let (early, packet) = try await database.pool.read { db in
            let packet = try RedPacketRows.packet(id: id, in: db)
            return (try RedPacketClaiming.earlyOutcome(of: packet, claimer: claimer, in: db), packet)
        }
        if let early { return early }
        guard let packet else { return .rejected(.redPacketNotFound) }
        switch packet.receipt.audience {
        case .friends, .circle:
            let isMember = await audience.isMember(claimer, of: packet.receipt.audience, sender: packet.receipt.sender)
            if !isMember { return .rejected(.notInAudience) }
        case .users:
            break
        }
        let now = clock.nowEpochSeconds
        return try await database.pool.write { db in
            try RedPacketClaiming.apply(id, claimer: claimer, at: now, in: db)
        }
    }

    /// Refunds the remainder of every red packet expired at `now` (default: the wallet's clock),
    /// at most `limits.expirySweepBatchMax` per call; call again while it returns a full batch.
    @discardableResult
    public func expireRedPackets(now: Int64? = nil) async throws -> [RedPacketRefund] {
        let (limit, now) = (limits.expirySweepBatchMax, now ?? clock.nowEpochSeconds)
        return try await database.pool.write { db in try RedPacketExpiry.sweep(now: now, limit: limit, in: db) }
    }

    /// Red packet `id` with its claims, or `nil`.
    public func redPacket(_ id: RedPacketID) async throws -> RedPacketState? {
        try await database.pool.read { db in
            guard let record = try RedPacketRows.packet(id: id, in: db) else { return nil }
            return RedPacketState(
                receipt: record.receipt, claims: try RedPacketRows.claims(of: id, in: db),
                refundTransferID: record.refundTransferID, settledAt: record.settledAt)
        }
    }
}
