import APIInput
import Core
import Hummingbird
import Ledger
import Service

/// `POST /v1/posts/:id/tips`: money to a post's author, allowed by the circle's `tip` rule,
/// through `QuanziService.tip` like every other caller, so the tip reaches the feed's tip counts
/// and the tipper's affinity.
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
        let result = try await service.tip(postID, by: caller.userID, amountFen: body.amountFen, idempotencyKey: key)
        return try MoneyResponse(metrics: metrics).respond(result, kind: "tip", view: TransferView.init)
    }
}
