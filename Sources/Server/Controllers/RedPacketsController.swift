import APIInput
import BlockingWork
import Core
import Hummingbird
import Ledger
import Service
import StorageModel

/// `/v1/red-packets`: sending a red packet to friends, a circle or listed users, reading one the
/// caller is part of, and claiming a share.
struct RedPacketsController {
    let service: QuanziService
    let metrics: ServerMetrics

    /// `money` adds the money rate limit.
    func addRoutes(to group: RouterGroup<QuanziRequestContext>, money: RouterGroup<QuanziRequestContext>) {
        money.post("red-packets", use: create)
        group.get("red-packets/:id", use: packet)
        money.post("red-packets/:id/claim", use: claim)
    }

    @Sendable func create(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let key = try request.idempotencyKey()
        let body = try await request.decodeJSON(as: NewRedPacket.self, context: context)
        let packet = RedPacketRequest(
            sender: caller.userID, split: body.split, totalFen: body.totalFen, shareCount: body.shareCount,
            audience: try audience(body.audience), idempotencyKey: key)
        // A retried key is answered by the ledger from the first packet, even if its circle has
        // gone since: only a new key needs the circle to exist.
        if case .circle(let circle) = packet.audience, service.plugins.circle(circle) == nil,
            try await service.wallet.receipt(initiator: caller.userID, idempotencyKey: key) == nil
        {
            throw QuanziError(.circleNotFound, "no circle '\(circle.rawValue)'")
        }
        let result = try await service.wallet.createRedPacket(packet)
        return try MoneyResponse(metrics: metrics).respond(result, kind: "redpacket_create", view: RedPacketView.init)
    }

    @Sendable func packet(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = RedPacketID(try context.pathID("id"))
        // Someone outside the packet learns nothing, not even that it exists.
        guard let state = try await service.wallet.redPacket(id), try await Blocking.run({ mayRead(state, caller.userID) }) else {
            throw LedgerError.redPacketNotFound
        }
        return try JSONResponse.make(RedPacketStateView(state))
    }

    @Sendable func claim(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        // Required and bounded like on every money POST, with the ledger's own bound and code: the
        // claim never hands the key to the ledger (it replays a claim per packet and claimer), so
        // nothing else would refuse a hostile one.
        let key = try request.idempotencyKey()
        guard LedgerLimits.isWellFormed(idempotencyKey: key) else { throw LedgerError.invalidIdempotencyKey }
        let result = try await service.wallet.claimRedPacket(RedPacketID(try context.pathID("id")), by: caller.userID)
        do {
            return try MoneyResponse(metrics: metrics).respond(result, kind: "redpacket_claim", view: ClaimView.init)
        } catch LedgerError.notInAudience {
            // As on GET: someone outside the packet learns nothing, not even that it exists. The
            // metrics above still count the true outcome.
            throw LedgerError.redPacketNotFound
        }
    }

    private func audience(_ audience: NewRedPacket.Audience) throws -> RedPacketAudience {
        switch audience.kind {
        case "friends":
            return .friends
        case "circle":
            guard let id = audience.circleID else { throw APIError.invalidRequest("a circle audience needs circle_id") }
            return .circle(CircleID(id))
        case "users":
            guard let users = audience.userIDs else { throw APIError.invalidRequest("a users audience needs user_ids") }
            // The ledger's schema refuses ids below 1 only at insert time (a 500); refuse them here.
            return .users(try users.map { try UserID(positive: $0, field: "audience.user_ids") })
        default:
            throw APIError.invalidRequest("audience.kind must be friends, circle or users")
        }
    }

    /// The sender, anyone who claimed, and anyone in the audience may read a packet.
    private func mayRead(_ state: RedPacketState, _ user: UserID) -> Bool {
        let receipt = state.receipt
        if receipt.sender == user || state.claims.contains(where: { $0.claimer == user }) { return true }
        switch receipt.audience {
        case .users(let users): return users.contains(user)
        case .friends: return (try? service.friends.areFriends(receipt.sender, user)) ?? false
        case .circle(let circle): return (try? service.decide(user, .view, in: circle))?.allowed ?? false
        }
    }
}
