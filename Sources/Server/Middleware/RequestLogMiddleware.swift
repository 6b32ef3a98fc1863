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
        let level: Logger.Level = response.status.code >= 500 ? .error : .info
        // Built only when it will be written: at `--log-level warning` (benchmarks, busy
        // servers) formatting five fields per request was a visible share of a feed's CPU.
        guard context.logger.logLevel <= level else { return response }
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)",
            "path": "\(request.uri.path)",
            "route": "\(context.endpointPath ?? "unmatched")",
            "status": "\(response.status.code)",
            "duration_us": "\(elapsed.nanoseconds / 1_000)",
        ]
        if let userID = context.facts.userID { metadata["user_id"] = "\(userID)" }
        context.logger.log(level: level, "request", metadata: metadata)
        return response
    }
}
