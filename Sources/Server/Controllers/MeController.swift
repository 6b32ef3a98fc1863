import BlockingWork
import Core
import Hummingbird
import Service

/// `/v1/me`: the caller's own profile and credit, and logging out. Only ever the caller's: there
/// is no route to another user's private attributes or score.
struct MeController {
    let service: QuanziService
    let authenticator: TokenAuthenticator

    func addRoutes(to group: RouterGroup<QuanziRequestContext>) {
        group.get("me", use: me)
        group.get("me/credit", use: credit)
        group.delete("me/token", use: logOut)
    }

    @Sendable func me(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let user = try await Blocking.run { [service] in try service.users.require(caller.userID) }
        return try JSONResponse.make(MeView(user, isAdmin: caller.isAdmin))
    }

    @Sendable func credit(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        guard let report = try await Blocking.run({ [service] in try service.credit.report(caller.userID) }) else {
            throw QuanziError(.notFound, "no credit score for user \(caller.userID) yet; scores are computed in batches")
        }
        return try JSONResponse.make(CreditView(report))
    }

    /// Revokes the token the request came with (the caller's other tokens keep working); it is
    /// refused from the next request on, on this node at once.
    @Sendable func logOut(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        try await authenticator.revoke(.id(try context.requireCaller().tokenID))
        return Response(status: .noContent)
    }
}
