import Core
import Ledger
import PostgresNIO
import StorageModel

extension PostgresWallet {
    /// Sends a red packet: the total moves from the sender to escrow now, and its shares are
    /// drawn now from a recorded seed. Claimable until `limits.redPacketLifetimeSeconds` later.
    public func createRedPacket(_ request: RedPacketRequest) async throws -> RedPacketResult {
        if let error = request.fieldError(limits: limits) { return .rejected(error) }
        var system = SystemRandomNumberGenerator()
        let seed = request.seed ?? system.next()
        let (limits, now, logger) = (limits, clock.nowEpochSeconds, logger)
        return try await retrying {
            try await self.inTransaction { connection in
                try await PostgresRedPacketCreation.apply(request, seed: seed, limits: limits, at: now, on: connection, logger: logger)
            }
        }
    }

    /// Claims the next share of red packet `id` for `claimer`. A second claim by the same user
    /// is replayed (same share, nothing moves), whichever node made the first.
    public func claimRedPacket(_ id: RedPacketID, by claimer: UserID) async throws -> ClaimResult {
        let logger = logger
        // Friends and circles belong to the social graph: ask it outside the transaction, which
        // must stay short (it holds the packet's row lock). The transaction re-checks the rest.
        let (early, packet) = try await client.withConnection { connection in
            let packet = try await PostgresRedPacketRows.packet(id: id, on: connection, logger: logger)
            return (try await PostgresRedPacketClaiming.earlyOutcome(of: packet, claimer: claimer, on: connection, logger: logger), packet)
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
        return try await retrying {
            try await self.inTransaction { connection in
                try await PostgresRedPacketClaiming.apply(id, claimer: claimer, at: now, on: connection, logger: logger)
            }
        }
    }

    /// Refunds the remainder of every red packet expired at `now` (default: the wallet's clock),
    /// at most `limits.expirySweepBatchMax` per call; call again while it returns a full batch.
    @discardableResult
    public func expireRedPackets(now: Int64? = nil) async throws -> [RedPacketRefund] {
        let (limit, now, logger) = (limits.expirySweepBatchMax, now ?? clock.nowEpochSeconds, logger)
        return try await retrying {
            try await self.inTransaction { connection in
                try await PostgresRedPacketExpiry.sweep(now: now, limit: limit, on: connection, logger: logger)
            }
        }
    }

    /// Red packet `id` with its claims, or `nil`, from one snapshot.
    public func redPacket(_ id: RedPacketID) async throws -> RedPacketState? {
        let logger = logger
        return try await client.withConnection { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            do {
                let state = try await Self.state(of: id, on: connection, logger: logger)
                try await connection.query("COMMIT", logger: logger)
                return state
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    private static func state(of id: RedPacketID, on connection: PostgresConnection, logger: Logger) async throws -> RedPacketState? {
        guard let record = try await PostgresRedPacketRows.packet(id: id, on: connection, logger: logger) else { return nil }
        return RedPacketState(
            receipt: record.receipt, claims: try await PostgresRedPacketRows.claims(of: id, on: connection, logger: logger),
            refundTransferID: record.refundTransferID, settledAt: record.settledAt)
    }
}
