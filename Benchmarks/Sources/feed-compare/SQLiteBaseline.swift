// The ranking as one SQLite query over a table with the same posts: the score computed in SQL
// from the counters, diversity with a window function, ORDER BY … LIMIT 50.
//
// The viewer's signals go in as two small tables (author terms, seen posts), filled before the
// timing starts: only the query is timed, which favours SQLite.
import Feed
import FeedBenchFixtures
import Foundation
import GRDB

struct SQLiteBaseline {
    let database: DatabaseQueue
    let count: Int

    /// Whether this SQLite has the math functions (`pow`, `ln`; SQLITE_ENABLE_MATH_FUNCTIONS).
    static func mathFunctionsAvailable() -> Bool {
        (try? DatabaseQueue().read { try Double.fetchOne($0, sql: "SELECT pow(2.0, 0.5) * ln(2.0) * exp(1.0)") }) != nil
    }

    init(rows: [CandidateRow], viewer: ViewerSignals, parameters: RankingParameters) throws {
        database = try DatabaseQueue()
        count = rows.count
        try database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE posts (
                      id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, created_at INTEGER NOT NULL,
                      like_count INTEGER NOT NULL, comment_count INTEGER NOT NULL, tips_fen INTEGER NOT NULL,
                      report_count INTEGER NOT NULL, author_credit INTEGER NOT NULL, status INTEGER NOT NULL);
                    CREATE TABLE viewer_terms (author_id INTEGER PRIMARY KEY, term REAL NOT NULL);
                    CREATE TABLE seen (post_id INTEGER PRIMARY KEY);
                    """)
            let insert = try db.makeStatement(sql: "INSERT INTO posts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for row in rows {
                try insert.execute(arguments: [
                    row.postID, row.authorID.rawValue, row.createdAtEpochSeconds, row.likeCount, row.commentCount,
                    row.tipsFen, row.reportCount, row.authorCreditScore, Int(row.status.rawValue),
                ])
            }
            try db.execute(sql: "CREATE INDEX posts_created ON posts(created_at)")
            // Scorer.viewerTerms, in Swift: friends first, then affinities.
            var terms: [Int64: Double] = [:]
            for friend in viewer.friendIDs {
                terms[friend.rawValue] = parameters.affinityWeight * 0 + parameters.friendshipWeight
            }
            for (author, affinity) in viewer.affinityByAuthor {
                let friendTerm = terms[author.rawValue] != nil ? parameters.friendshipWeight : 0
                terms[author.rawValue] = parameters.affinityWeight * min(max(affinity, 0), 1) + friendTerm
            }
            for (author, term) in terms {
                try db.execute(sql: "INSERT INTO viewer_terms VALUES (?, ?)", arguments: [author, term])
            }
            for post in viewer.seenPostIDs { try db.execute(sql: "INSERT INTO seen VALUES (?)", arguments: [post]) }
        }
    }

    static let query = """
        SELECT id FROM (
          SELECT id, score, row_number() OVER (PARTITION BY author_id ORDER BY score DESC, id DESC) AS nth
          FROM (
            SELECT p.id, p.author_id,
              pow(2.0, -max(0, :now - p.created_at) * :rate)
                * (1.0 + :we * ln(1 + (p.like_count + 2.0 * p.comment_count)) + :wt * ln(1 + p.tips_fen)
                   + :wc * ((min(max(p.author_credit, 350), 950) - 350) / 600.0) + coalesce(v.term, 0.0))
                - :rp * ln(1 + p.report_count) - (CASE WHEN s.post_id IS NULL THEN 0.0 ELSE :sp END) AS score
            FROM posts p
            LEFT JOIN viewer_terms v ON v.author_id = p.author_id
            LEFT JOIN seen s ON s.post_id = p.id
            WHERE p.status = 0 AND p.created_at > :oldest))
        WHERE nth <= :maxPerAuthor
        ORDER BY score DESC, id DESC
        LIMIT :pageSize
        """

    /// The top posts, as one query.
    func rank() throws -> [Int64] {
        let weights = FeedBench.parameters
        let arguments: StatementArguments = [
            "now": FeedBench.nowEpochSeconds, "rate": 1 / (weights.halfLifeHours * 3_600),
            "we": weights.engagementWeight, "wt": weights.tipsWeight, "wc": weights.creditWeight,
            "rp": weights.reportPenalty, "sp": weights.seenPenalty,
            "oldest": FeedBench.nowEpochSeconds - FeedBench.limits.ageMaxSeconds,
            "maxPerAuthor": weights.maxPerAuthor, "pageSize": FeedBench.pageSize,
        ]
        return try database.read { try Int64.fetchAll($0, sql: Self.query, arguments: arguments) }
    }

    /// The table's pages (index included) per post.
    func bytesPerCandidate() throws -> Double {
        let bytes = try database.read { db in
            try Int.fetchOne(db, sql: "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()") ?? 0
        }
        return Double(bytes) / Double(count)
    }
}
