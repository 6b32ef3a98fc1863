import APIInput
import BlockingWork
import Core
import Hummingbird
import LuaHost
import Service
import Social

/// `/v1/circles`: the circles the plugins declare, what the caller may do in each (every action's
/// rule, evaluated for them, with the reason when denied), and posting into one.
struct CirclesController {
    /// The amount a `tip` rule is asked about when no tip is at hand: "may I tip here at all".
    static let probeTipAmountFen: Int64 = 1

    let service: QuanziService
    let metrics: ServerMetrics

    func addRoutes(to group: RouterGroup<QuanziRequestContext>) {
        group.get("circles", use: list)
        group.get("circles/:id", use: circle)
        group.post("circles/:id/posts", use: createPost)
    }

    @Sendable func list(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        try JSONResponse.make(CirclesView(circles: service.plugins.circles.map(CircleSummaryView.init)))
    }

    @Sendable func circle(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let circle = try requireCircle(context)
        let permissions = try await Blocking.run {
            CircleAction.allCases.map { action in PermissionView(action: action, decision: decide(caller.userID, action, in: circle.id)) }
        }
        return try JSONResponse.make(
            CircleView(id: circle.id.rawValue, title: circle.title, description: circle.description, myPermissions: permissions))
    }

    @Sendable func createPost(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let circle = try requireCircle(context)
        let body = try await request.decodeJSON(as: NewPost.self, context: context)
        let post = try await Blocking.commit { [service] in try service.createPost(by: caller.userID, in: circle.id, kind: body.kind ?? .text, body: body.body) }
        return try JSONResponse.make(PostView(post), status: .created)
    }

    private func requireCircle(_ context: QuanziRequestContext) throws -> CircleDefinition {
        let id = context.parameters.get("id") ?? ""
        guard let circle = service.plugins.circle(CircleID(id)) else { throw QuanziError(.circleNotFound, "no circle '\(id)'") }
        return circle
    }

    /// One rule, timed. A rule that fails denies (the engine fails closed); the failure is
    /// counted and named in the reason rather than failing the whole page.
    private func decide(_ user: UserID, _ action: CircleAction, in circle: CircleID) -> Decision {
        let started = ContinuousClock.now
        defer { metrics.recordLuaCall(duration: ContinuousClock.now - started) }
        do {
            return try service.decide(user, action, in: circle, amountFen: action == .tip ? Self.probeTipAmountFen : nil)
        } catch {
            metrics.recordLuaFailure(code: error.code.rawValue)
            return Decision(allowed: false, reason: "the rule failed (\(error.code.rawValue))", location: nil)
        }
    }
}
