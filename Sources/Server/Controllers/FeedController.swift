import BlockingWork
import Core
import Feed
import Hummingbird
import Service

/// `GET /v1/circles/:id/feed`: a circle's ranked feed for the caller, paged by an opaque cursor,
/// with `?explain=1` for each post's score terms. Showing a page records its posts as viewed.
struct FeedController {
    let service: QuanziService
    let metrics: ServerMetrics

    func addRoutes(to group: RouterGroup<QuanziRequestContext>) {
        group.get("circles/:id/feed", use: feed)
    }

    @Sendable func feed(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let circle = CircleID(context.parameters.get("id") ?? "")
        let query = request.uri.queryParameters
        var limit = ServerLimits.pageItemsDefault
        if let text = query.get("limit") {
            guard let value = Int(text), (1...FeedLimits.pageSizeMax).contains(value) else {
                throw APIError.invalidRequest("limit must be between 1 and \(FeedLimits.pageSizeMax)")
            }
            limit = value
        }
        let cursor = try query.get("cursor").map { text in
            guard !text.isEmpty else { throw APIError.invalidRequest("cursor must not be empty: leave it out for the first page") }
            return text
        }
        let explain = try Self.flag(query.get("explain"), name: "explain")
        let started = ContinuousClock.now
        let result = try await Blocking.run { [service, limit] in try service.feed(for: caller.userID, in: circle, limit: limit, cursor: cursor, explain: explain) }
        metrics.recordFeedRanking(duration: ContinuousClock.now - started)
        return JSONResponse.make(bytes: try FeedView(result, explain: explain, viewer: caller).jsonBytes())
    }

    /// A boolean query flag: absent, `1`/`true` or `0`/`false`; anything else is a mistake to report.
    static func flag(_ text: String?, name: String) throws -> Bool {
        switch text {
        case nil, "0", "false": return false
        case "1", "true": return true
        default: throw APIError.invalidRequest("\(name) must be 1, true, 0 or false")
        }
    }
}
