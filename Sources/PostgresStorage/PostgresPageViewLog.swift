import Core
import PostgresNIO
import StorageModel

/// Appends viewed pages (`ViewedPage`) to `page_views` inside the caller's transaction
/// (SQLiteStorage's `PageViewLog`). The id lists are `bigint[]` here: PostgreSQL has arrays, SQLite
/// stores the same lists as JSON text. Several pages go in one multi-row INSERT: one round trip.
enum PostgresPageViewLog {
    /// Most pages in one statement: PostgreSQL takes at most 65,535 parameters, 5 per page.
    static let pagesPerStatementMax = 10_000

    static func append(_ pages: [ViewedPage], in session: PostgresSession) throws {
        for query in insertQueries(pages) { try session.execute(query) }
    }

    static func insertQueries(_ pages: [ViewedPage]) -> [PostgresQuery] {
        PostgresMultiRowInsert.queries(
            into: "page_views", columns: ["viewer_id", "circle_id", "at", "post_ids", "author_ids"], rows: pages,
            rowsPerStatementMax: pagesPerStatementMax
        ) { page, bindings in
            bindings.append(page.viewerID.rawValue)
            bindings.append(page.circleID.rawValue)
            bindings.append(page.atEpochSeconds)
            bindings.append(page.postIDs)
            bindings.append(page.authorIDs)
        }
    }
}
