import Core
import PostgresNIO
import StorageModel

/// Appends viewed pages (`ViewedPage`) to `page_views` inside the caller's transaction
/// (Storage's `PageViewLog`). The id lists are `bigint[]` here: PostgreSQL has arrays, SQLite
/// stores the same lists as JSON text.
enum PostgresPageViewLog {
    static func append(_ pages: [ViewedPage], in session: PostgresSession) throws {
        for page in pages {
            try session.execute(
                """
                INSERT INTO page_views (viewer_id, circle_id, at, post_ids, author_ids)
                VALUES (\(page.viewerID.rawValue), \(page.circleID.rawValue), \(page.atEpochSeconds), \(page.postIDs), \(page.authorIDs))
                """)
        }
    }
}
