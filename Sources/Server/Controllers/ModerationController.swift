import APIInput
import BlockingWork
import Core
import Hummingbird
import Service
import Social

/// The review queue: `/v1/moderation/…` for moderator (and admin) tokens, and the author's side,
/// `GET /v1/me/moderation` and `POST /v1/posts/:id/appeal`. The rules about items are
/// `ModerationReview`'s, applied by the service; this decides only who may call what.
struct ModerationController {
    let service: QuanziService

    func addRoutes(
        to api: RouterGroup<QuanziRequestContext>, moderators: RouterGroup<QuanziRequestContext>, admins: RouterGroup<QuanziRequestContext>
    ) {
        moderators.get("moderation/queue", use: queue)
        moderators.get("moderation/items/:id/identity", use: identity)
        admins.get("admin/identity-looks", use: identityLooks)
        moderators.post("moderation/items/:id/approve", use: approve)
        moderators.post("moderation/items/:id/remove", use: remove)
        api.get("me/moderation", use: mine)
        api.post("posts/:id/appeal", use: appeal)
        api.post("me/moderation/:id/appeal", use: appealItem)
    }

    @Sendable func queue(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let page = try PageQuery(request)
        let limit = min(page.limit, ModerationReview.pageSizeMax)
        let (entries, next) = try await Blocking.run { [service] in try service.moderationQueue(afterID: page.cursor, limit: limit) }
        return try JSONResponse.make(ModerationQueueView(entries, nextCursor: next.map(String.init)))
    }

    /// The verified identity behind an item: recorded (who, when, which item) before it is shown.
    @Sendable func identity(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try context.pathID("id")
        let (look, author) = try await Blocking.commit { [service] in try service.identityBehindItem(id, by: caller.userID) }
        return try JSONResponse.make(IdentityView(look: look, author: author))
    }

    @Sendable func identityLooks(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let page = try PageQuery(request)
        let limit = min(page.limit, ModerationReview.pageSizeMax)
        let (looks, next) = try await Blocking.run { [service] in try service.identityLooks(beforeID: page.cursor, limit: limit) }
        return try JSONResponse.make(IdentityLooksView(looks: looks.map(IdentityLookView.init), nextCursor: next.map(String.init)))
    }

    @Sendable func approve(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try context.pathID("id")
        let body = try await request.decodeJSON(as: ApproveModeration.self, context: context)
        let decided = try await Blocking.commit { [service] in try service.decideModeration(id, .approve(note: body.note), by: caller.userID) }
        return try JSONResponse.make(ModerationItemView(decided, showModerators: true))
    }

    @Sendable func remove(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try context.pathID("id")
        let body = try await request.decodeJSON(as: RemoveModeration.self, context: context)
        let decided = try await Blocking.commit { [service] in try service.decideModeration(id, .remove(reason: body.reason), by: caller.userID) }
        return try JSONResponse.make(ModerationItemView(decided, showModerators: true))
    }

    @Sendable func mine(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let items = try await Blocking.run { [service] in try service.moderationItems(ofAuthor: caller.userID) }
        return try JSONResponse.make(MyModerationView(items: items.map { ModerationItemView($0, showModerators: false) }))
    }

    /// The author's appeal by queue item: a held comment's, or a post's.
    @Sendable func appealItem(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try context.pathID("id")
        let body = try await request.decodeJSON(as: NewAppeal.self, context: context)
        let appealed = try await Blocking.commit { [service] in try service.appealModeration(item: id, by: caller.userID, text: body.text) }
        return try JSONResponse.make(ModerationItemView(appealed, showModerators: false), status: .created)
    }

    @Sendable func appeal(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let postID = try context.pathID("id")
        let body = try await request.decodeJSON(as: NewAppeal.self, context: context)
        let appealed = try await Blocking.commit { [service] in try service.appealModeration(post: postID, by: caller.userID, text: body.text) }
        return try JSONResponse.make(ModerationItemView(appealed, showModerators: false), status: .created)
    }
}

/// Lets only moderator and admin tokens through (the review queue).
struct ModeratorMiddleware: RouterMiddleware {
    typealias Context = QuanziRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard try context.requireCaller().mayModerate else { throw APIError.moderatorRequired }
        return try await next(request, context)
    }
}
