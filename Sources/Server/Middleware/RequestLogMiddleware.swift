import Hummingbird
import Logging

/// One structured log line per request: what was asked, by whom, the outcome and how long it took.
/// Client errors log at `info` and server faults at `error` (the error middleware adds the cause).
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = QuanziRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)",
            "path": "\(request.uri.path)",
            "route": "\(context.endpointPath ?? "unmatched")",
            "status": "\(response.status.code)",
            "duration_us": "\(elapsed.nanoseconds / 1_000)",
        ]
        if let userID = context.facts.userID { metadata["user_id"] = "\(userID)" }
        context.logger.log(level: response.status.code >= 500 ? .error : .info, "request", metadata: metadata)
        return response
    }
}
