import APIInput
import BlockingWork
import Core
import Hummingbird
import Service

/// `/v1/me/experiments` and `/v1/me/exposures`: what an app applies for its user, and its report
/// that it showed a change. Reading never logs an exposure; the app reports one at the moment it
/// shows the change (GrowthBook's trackingCallback), so a user who never reaches the screen is
/// not counted as exposed.
struct AppExperimentsController {
    let service: QuanziService

    /// Apps may keep the list and ask again with `If-None-Match`, but must revalidate every time:
    /// a stop or a ramp step changes it at any moment, and it is one user's.
    static let cacheControl = "private, no-cache"

    func addRoutes(to group: RouterGroup<QuanziRequestContext>) {
        group.get("me/experiments", use: list)
        group.post("me/exposures", use: expose)
    }

    @Sendable func list(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let assignments = try await Blocking.run { [service] in
            try service.experiments.appAssignments(of: try service.users.require(caller.userID))
        }
        let body = try APIJSON.encoder.encode(AppExperimentsView(assignments))
        return ConditionalGet.response(json: Array(body), request: request, cacheControl: Self.cacheControl)
    }

    /// Idempotent per user and experiment: only the first report of a user in the experiment by
    /// hash logs anything; every other answer is 200 with `logged: false` and the reason.
    @Sendable func expose(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let body = try await request.decodeJSON(as: NewExposure.self, context: context)
        let exposure = try await Blocking.commit { [service] in
            try service.experiments.recordAppExposure(of: try service.users.require(caller.userID), to: body.experimentID)
        }
        return try JSONResponse.make(AppExposureView(exposure))
    }
}
