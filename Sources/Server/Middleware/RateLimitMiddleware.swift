import Hummingbird

/// Refuses a user's request with 429 once their bucket under `limiter.policy` is empty. Runs after
/// `AuthMiddleware`: the bucket is the user's, shared by all their tokens, so minting more
/// tokens buys no more requests.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = QuanziRequestContext
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let caller = try context.requireCaller()
        if let retryAfter = limiter.acquire(caller.userID.rawValue) {
            throw APIError.rateLimited(limiter.policy, retryAfterSeconds: retryAfter)
        }
        return try await next(request, context)
    }
}
