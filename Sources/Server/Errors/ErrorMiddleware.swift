import Core
import Hummingbird
import Logging

/// Turns every thrown error into the API's error response, and logs server faults with the
/// underlying error (the client only sees a generic message for those).
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = QuanziRequestContext
    let metrics: ServerMetrics

    /// The codes of a Lua call that failed or ran out of budget, whichever route made it.
    static let luaFailureCodes: Set<QuanziError.Code> = [
        .scriptError, .instructionLimitExceeded, .memoryLimitExceeded, .timeLimitExceeded, .invalidPlugin,
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if let error = error as? QuanziError, Self.luaFailureCodes.contains(error.code) {
                metrics.recordLuaFailure(code: error.code.rawValue)
            }
            var apiError = APIError(error)
            if apiError.code == APIError.routeNotFoundCode {
                // The path may exist with other methods: say which (RFC 9110 §15.5.6).
                let allowed = DocumentedRoutes.methods(forPath: request.uri.path)
                if !allowed.isEmpty { apiError = .methodNotAllowed(request.method.rawValue, allowed: allowed) }
            }
            if apiError.isServerFault {
                let userID = context.facts.userID.map { "\($0)" } ?? "-"
                context.logger.error(
                    "request failed", metadata: ["error": "\(String(reflecting: error))", "code": "\(apiError.code)", "user_id": "\(userID)"])
            }
            return try apiError.response(from: request, context: context)
        }
    }
}
