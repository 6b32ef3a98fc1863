import APIInput
import Core
import Hummingbird
import Ledger
import Service

/// `POST /v1/posts/:id/tips`: money to a post's author, allowed by the circle's `tip` rule.
/// Composes the service's public parts (to time the rule's Lua call) in the service's order: a
/// retried key's first answer, then the request's own fields, the post's visibility, the rule
/// and the wallet.
struct TipsController {
    let service: QuanziService
    let metrics: ServerMetrics

    func addRoutes(to group: RouterGroup<QuanziRequestContext>) {
        group.post("posts/:id/tips", use: tip)
    }

    @Sendable func tip(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let key = try request.idempotencyKey()
        let postID = try context.pathID("id")
        let body = try await request.decodeJSON(as: NewTip.self, context: context)
        let money = MoneyResponse(metrics: metrics)
        if let retried = try await service.retriedTip(postID, by: caller.userID, amountFen: body.amountFen, idempotencyKey: key) {
            return try money.respond(retried, kind: "tip", view: TransferView.init)
        }
        let post = try await Blocking.run { [service] in try service.viewablePost(postID, by: caller.userID) }
        let tip = TransferRequest.tip(
            from: caller.userID, to: post.authorID, postID: post.id, circleID: post.circleID, amountFen: body.amountFen, idempotencyKey: key
        )
        // A malformed amount is the client's mistake whatever the rule says: report that first.
        if let error = tip.fieldError(limits: service.wallet.limits) { throw error }
        let started = ContinuousClock.now
        let decision = try await Blocking.run { [service] in try service.decide(caller.userID, .tip, in: post.circleID, post: post, amountFen: body.amountFen) }
        metrics.recordLuaCall(duration: ContinuousClock.now - started)
        guard decision.allowed else { throw QuanziError(.ruleDenied, decision.reason ?? "not allowed") }
        return try money.respond(try await service.wallet.transfer(tip), kind: "tip", view: TransferView.init)
    }
}
