import Core
import PostgresNIO
import StorageModel

/// Appends viewed pages (`ViewedPage`) to `page_views` inside the caller's transaction
/// (Storage's `PageViewLog`). The id lists are `bigint[]` here: PostgreSQL has arrays, SQLite
/// stores the same lists as JSON text. Several pages go in one multi-row INSERT: one round trip.
enum PostgresPageViewLog {
    /// Most pages in one statement: PostgreSQL takes at most 65,535 parameters, 5 per page.
    static let pagesPerStatementMax = 10_000

    static func append(_ pages: [ViewedPage], in session: PostgresSession) throws {
        for query in insertQueries(pages) { try session.execute(query) }
    }

    static func insertQueries(_ pages: [ViewedPage]) -> [PostgresQuery] {
        stride(from: 0, to: pages.count, by: pagesPerStatementMax).map { start in
            let chunk = pages[start..<min(start + pagesPerStatementMax, pages.count)]
            var bindings = PostgresBindings(capacity: chunk.count * 5)
            var rows: [String] = []
            rows.reserveCapacity(chunk.count)
            for page in chunk {
                let first = bindings.count + 1
                rows.append("(" + (first..<first + 5).map { "$\($0)" }.joined(separator: ", ") + ")")
                bindings.append(page.viewerID.rawValue)
                bindings.append(page.circleID.rawValue)
                bindings.append(page.atEpochSeconds)
                bindings.append(page.postIDs)
                bindings.append(page.authorIDs)
            }
            return PostgresQuery(
                unsafeSQL: "INSERT INTO page_views (viewer_id, circle_id, at, post_ids, author_ids) VALUES \(rows.joined(separator: ", "))",
                binds: bindings)
        }
    }
}
