import Hummingbird
import StorageModel

/// Authenticates `Authorization: Bearer <token>` against the stored digests and puts the caller
/// in the context. Every `/v1` route sits behind it.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = QuanziRequestContext
    let authenticator: TokenAuthenticator

    /// Longer headers are refused unhashed: a real token is 46 characters.
    static let authorizationBytesMax = 256

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw APIError.unauthorized("missing bearer token") }
        // The scheme name is case-insensitive (RFC 9110 §11.1).
        let parts = header.split(separator: " ", maxSplits: 1)
        guard header.utf8.count <= Self.authorizationBytesMax, parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header must be 'Bearer <token>'")
        }
        let record = try await authenticator.authenticate(String(parts[1]))
        var context = context
        context.caller = Caller(userID: record.userID, isAdmin: record.isAdmin, isModerator: record.isModerator, tokenID: record.id)
        return try await next(request, context)
    }
}

/// Lets only admin tokens through (experiments, top-ups).
struct AdminMiddleware: RouterMiddleware {
    typealias Context = QuanziRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard try context.requireCaller().isAdmin else { throw APIError.adminRequired }
        return try await next(request, context)
    }
}
