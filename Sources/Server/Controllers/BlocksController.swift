import BlockingWork
import Core
import Hummingbird
import Service
import StorageModel

/// Blocks and mutes: `PUT`/`DELETE /v1/users/:id/block` and `/mute`, and `GET /v1/me/blocks`.
/// Both writes are idempotent (a `PUT` of what stands already changes nothing).
struct BlocksController {
    let service: QuanziService

    func addRoutes(to group: RouterGroup<QuanziRequestContext>) {
        group.put("users/:id/block", use: block)
        group.delete("users/:id/block", use: unblock)
        group.put("users/:id/mute", use: mute)
        group.delete("users/:id/mute", use: unmute)
        group.get("me/blocks", use: list)
    }

    @Sendable func block(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        try await change(context) { service, caller, other in try service.block(other, by: caller) }
    }

    @Sendable func unblock(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        try await change(context) { service, caller, other in try service.unblock(other, by: caller) }
    }

    @Sendable func mute(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        try await change(context) { service, caller, other in try service.mute(other, by: caller) }
    }

    @Sendable func unmute(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        try await change(context) { service, caller, other in try service.unmute(other, by: caller) }
    }

    @Sendable func list(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let list = try await Blocking.run { [service] in try service.blockList(of: caller.userID) }
        return try JSONResponse.make(BlockListView(list))
    }

    /// Runs one block or mute change for the caller and answers with their lists.
    private func change(
        _ context: QuanziRequestContext, _ body: @escaping @Sendable (QuanziService, UserID, UserID) throws -> Bool
    ) async throws -> Response {
        let caller = try context.requireCaller()
        let other = UserID(try context.pathID("id"))
        let list = try await Blocking.commit { [service] in
            _ = try body(service, caller.userID, other)
            return try service.blockList(of: caller.userID)
        }
        return try JSONResponse.make(BlockListView(list))
    }
}

/// The caller's blocks and mutes, by user id.
struct BlockListView: Encodable, Sendable {
    let blocked: [Int64]
    let muted: [Int64]

    init(_ list: BlockList) {
        blocked = list.blocked.map(\.rawValue)
        muted = list.muted.map(\.rawValue)
    }
}
