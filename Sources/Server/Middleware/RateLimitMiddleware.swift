import Hummingbird

/// Refuses a token's request with 429 once its bucket under `limiter.policy` is empty. Runs after
/// `AuthMiddleware`: the bucket is the token's.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = QuanziRequestContext
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let caller = try context.requireCaller()
        if let retryAfter = limiter.acquire(caller.tokenID) {
            throw APIError.rateLimited(limiter.policy, retryAfterSeconds: retryAfter)
        }
        return try await next(request, context)
    }
}
