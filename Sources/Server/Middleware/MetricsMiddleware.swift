import Hummingbird

/// Counts requests and records their latency per route, method and status.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = QuanziRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        // The error middleware sits inside this one, so every outcome arrives here as a response.
        let response = try await next(request, context)
        metrics.recordRequest(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code,
            duration: ContinuousClock.now - started)
        return response
    }
}
