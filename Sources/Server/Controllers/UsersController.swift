import BlockingWork
import Core
import Hummingbird
import Service

/// `/v1/users/:id`: another user's public card (name and verification only).
struct UsersController {
    let service: QuanziService

    func addRoutes(to group: RouterGroup<QuanziRequestContext>) {
        group.get("users/:id", use: user)
    }

    @Sendable func user(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let id = UserID(try context.pathID("id"))
        let user = try await Blocking.run { [service] in try service.users.require(id) }
        return try JSONResponse.make(PublicUserView(user))
    }
}
