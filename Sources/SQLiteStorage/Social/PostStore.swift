import Core
import GRDB
import Social

/// Posts, comments, likes, reports and the moderation queue. Each write records its event in
/// the same transaction. Rule checks happen before these calls (see the Service target); these
/// enforce what the data itself requires (the post exists and is visible, one like per person…).
public struct PostStore: Sendable {
    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    /// Makes the circles table match the loaded plugins (titles may change; circles are never
    /// deleted because posts refer to them).
    public func syncCircles(_ circles: [CircleDefinition]) throws {
        try database.write { db in
            for circle in circles {
                try db.execute(
                    sql:
                        "INSERT INTO circles (id, title) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET title = excluded.title",
                    arguments: [circle.id.rawValue, circle.title])
            }
        }
    }

    /// Stores a new post; a post held by moderation is hidden and queued for review.
    public func create(
        circle: CircleID, author: UserID, kind: PostKind, body: String, verdict: ModerationVerdict,
        at now: Int64
    ) throws(QuanziError) -> Post {
        try QuanziError.wrapping {
            try database.writeCheckingFirst { db in
                try Self.create(
                    circle: circle, author: author, kind: kind, body: body, verdict: verdict, at: now, db)
            }
        }
    }

    static func create(
        circle: CircleID, author: UserID, kind: PostKind, body: String, verdict: ModerationVerdict,
        at now: Int64, _ db: Database
    ) throws -> Post {
        let status: PostStatus = verdict.hold == nil ? .visible : .hidden
        let hiddenReason = verdict.hiddenReason
        try db.cachedStatement(sql: "INSERT INTO posts (circle_id, author_id, kind, body, created_at, status, hidden_reason) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .execute(arguments: [circle.rawValue, author.rawValue, kind.rawValue, body, now, status.rawValue, hiddenReason])
        let post = Post(
            id: db.lastInsertedRowID, circleID: circle, authorID: author, kind: kind, body: body,
            createdAtEpochSeconds: now,
            status: status, hiddenReason: hiddenReason)
        try EventLog.append(
            Event(kind: .postCreated, at: now, userID: author, circleID: circle, postID: post.id), in: db)
        if let hold = verdict.hold {
            try db.cachedStatement(sql: "INSERT INTO moderation_queue (post_id, reason, detail, created_at, queued_at) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [post.id, hold.reason.rawValue, hold.detail, now, now])
            try EventLog.append(
                Event(
                    kind: .postHidden, at: now, userID: author, circleID: circle, postID: post.id,
                    context: hold.reason.rawValue), in: db)
        }
        return post
    }

    /// Posts by id (missing ids are absent from the result).
    public func posts(_ ids: [Int64]) throws -> [Int64: Post] {
        guard !ids.isEmpty else { return [:] }
        return try database.unsafeRead { db in
            let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
            var result: [Int64: Post] = [:]
            // Cached per placeholder count (at most a page size's worth of statements).
            let statement = try db.cachedStatement(sql: "SELECT \(Self.columns) FROM posts WHERE id IN (\(placeholders))")
            for row in try Row.fetchAll(statement, arguments: StatementArguments(ids)) {
                let post = Self.post(from: row)
                result[post.id] = post
            }
            return result
        }
    }

    public func post(_ id: Int64) throws -> Post? {
        try database.unsafeRead { db in try Self.post(id, db) }
    }

    /// The post, or `post_not_found` (deleted posts are gone for everyone).
    public func requireVisible(_ id: Int64) throws(QuanziError) -> Post {
        let found = try QuanziError.wrapping { try post(id) }
        guard let found, found.status != .deleted else {
            throw QuanziError(.postNotFound, "no post \(id)")
        }
        guard found.status == .visible else {
            throw QuanziError(.postNotVisible, "post \(id) is hidden pending review")
        }
        return found
    }

    /// The author deletes their own post.
    public func delete(_ id: Int64, by user: UserID, at now: Int64) throws(QuanziError) {
        try QuanziError.wrapping {
            try database.write { db in
                guard let post = try Self.post(id, db), post.status != .deleted else {
                    throw QuanziError(.postNotFound, "no post \(id)")
                }
                guard post.authorID == user else {
                    throw QuanziError(.forbidden, "only the author may delete post \(id)")
                }
                try db.cachedStatement(sql: "UPDATE posts SET status = 'deleted', hidden_reason = NULL WHERE id = ?")
                    .execute(arguments: [id])
                try EventLog.append(
                    Event(kind: .postDeleted, at: now, userID: user, circleID: post.circleID, postID: id),
                    in: db)
            }
        }
    }

    public func comment(on postID: Int64, by user: UserID, body: String, verdict: ModerationVerdict, at now: Int64)
        throws(QuanziError) -> Comment
    {
        try QuanziError.wrapping {
            try database.writeCheckingFirst { db in
                try Self.comment(on: postID, by: user, body: body, verdict: verdict, at: now, db)
            }
        }
    }

    static func comment(
        on postID: Int64, by user: UserID, body: String, verdict: ModerationVerdict = .visible, at now: Int64, _ db: Database
    ) throws -> Comment {
        if let hold = verdict.hold {
            let post = try Self.requireVisible(postID, db)
            try db.cachedStatement(sql: "INSERT INTO comments (post_id, author_id, body, created_at, status) VALUES (?, ?, ?, ?, 'hidden')")
                .execute(arguments: [postID, user.rawValue, body, now])
            let comment = Comment(
                id: db.lastInsertedRowID, postID: postID, authorID: user, body: body, createdAtEpochSeconds: now, heldForReview: true)
            try db.cachedStatement(
                sql: "INSERT INTO moderation_queue (post_id, comment_id, reason, detail, created_at, queued_at) VALUES (?, ?, ?, ?, ?, ?)"
            ).execute(arguments: [postID, comment.id, hold.reason.rawValue, hold.detail, now, now])
            try EventLog.append(
                Event(
                    kind: .commentHidden, at: now, userID: user, circleID: post.circleID, postID: postID, targetUserID: post.authorID,
                    context: hold.reason.rawValue), in: db)
            return comment
        }
        let post = try Self.requireVisibleHead(postID, db)
        try db.cachedStatement(sql: "INSERT INTO comments (post_id, author_id, body, created_at) VALUES (?, ?, ?, ?)")
            .execute(arguments: [postID, user.rawValue, body, now])
        let comment = Comment(
            id: db.lastInsertedRowID, postID: postID, authorID: user, body: body,
            createdAtEpochSeconds: now)
        try db.cachedStatement(sql: "UPDATE posts SET comment_count = comment_count + 1 WHERE id = ?")
            .execute(arguments: [postID])
        try EventLog.append(
            Event(
                kind: .commentCreated, at: now, userID: user, circleID: post.circleID, postID: postID,
                targetUserID: post.authorID), in: db)
        try AffinityStore.bump(viewer: user, author: post.authorID, .comment, at: now, db)
        return comment
    }

    public func comments(on postID: Int64, afterID: Int64 = 0, limit: Int = 50) throws -> [Comment] {
        try database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM comments WHERE post_id = ? AND id > ? AND status = 'visible' ORDER BY id LIMIT ?",
                arguments: [postID, afterID, limit]
            ).map { row in
                Comment(
                    id: row["id"], postID: row["post_id"], authorID: UserID(row["author_id"] as Int64),
                    body: row["body"], createdAtEpochSeconds: row["created_at"])
            }
        }
    }

    public func like(_ postID: Int64, by user: UserID, at now: Int64) throws(QuanziError) {
        try QuanziError.wrapping {
            try database.writeCheckingFirst { db in
                guard try Self.like(postID, by: user, at: now, db) else {
                    throw QuanziError(.alreadyLiked, "user \(user) already likes post \(postID)")
                }
            }
        }
    }

    /// Returns false when the user already liked the post. Every refusal comes before any change
    /// (`writeCheckingFirst`).
    static func like(_ postID: Int64, by user: UserID, at now: Int64, _ db: Database) throws -> Bool {
        let post = try Self.requireVisibleHead(postID, db)
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO likes (post_id, user_id, created_at) VALUES (?, ?, ?)")
            .execute(arguments: [postID, user.rawValue, now])
        guard db.changesCount == 1 else { return false }
        try db.cachedStatement(sql: "UPDATE posts SET like_count = like_count + 1 WHERE id = ?")
            .execute(arguments: [postID])
        try EventLog.append(
            Event(
                kind: .likeCreated, at: now, userID: user, circleID: post.circleID, postID: postID,
                targetUserID: post.authorID), in: db)
        try AffinityStore.bump(viewer: user, author: post.authorID, .like, at: now, db)
        return true
    }

    /// The user's "show less" on a visible post; false when already marked.
    @discardableResult
    public func showLess(_ postID: Int64, by user: UserID, at now: Int64) throws(QuanziError) -> Bool {
        try QuanziError.wrapping {
            try database.writeCheckingFirst { db in
                let post = try Self.requireVisible(postID, db)
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO show_less_marks (user_id, post_id, author_id, created_at) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [user.rawValue, postID, post.authorID.rawValue, now])
                guard db.changesCount == 1 else { return false }
                try EventLog.append(
                    Event(kind: .postShowLess, at: now, userID: user, circleID: post.circleID, postID: postID, targetUserID: post.authorID), in: db)
                return true
            }
        }
    }

    /// Records a report; at `hideAtReports` reports the post is hidden and queued for review.
    /// Returns whether this report hid the post.
    @discardableResult
    public func report(
        _ postID: Int64, by user: UserID, reason: String, hideAtReports: Int, at now: Int64
    ) throws(QuanziError) -> Bool {
        try QuanziError.wrapping {
            try database.writeCheckingFirst { db in
                try Self.report(postID, by: user, reason: reason, hideAtReports: hideAtReports, at: now, db)
            }
        }
    }

    static func report(
        _ postID: Int64, by user: UserID, reason: String, hideAtReports: Int, at now: Int64,
        _ db: Database
    ) throws -> Bool {
        let post = try Self.requireVisible(postID, db)
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO reports (post_id, reporter_id, reason, created_at) VALUES (?, ?, ?, ?)")
            .execute(arguments: [postID, user.rawValue, reason, now])
        guard db.changesCount == 1 else {
            throw QuanziError(.alreadyReported, "user \(user) already reported post \(postID)")
        }
        try db.cachedStatement(sql: "UPDATE posts SET report_count = report_count + 1 WHERE id = ?")
            .execute(arguments: [postID])
        try EventLog.append(
            Event(
                kind: .reportCreated, at: now, userID: user, circleID: post.circleID, postID: postID,
                targetUserID: post.authorID), in: db)
        guard post.reportCount + 1 >= hideAtReports else { return false }
        try db.cachedStatement(sql: "UPDATE posts SET status = 'hidden', hidden_reason = ? WHERE id = ?")
            .execute(arguments: ["hidden after \(post.reportCount + 1) reports", postID])
        try db.cachedStatement(sql: "INSERT INTO moderation_queue (post_id, reason, detail, created_at, queued_at) VALUES (?, 'reports', ?, ?, ?)")
            .execute(arguments: [postID, "\(post.reportCount + 1) reports", now, now])
        try EventLog.append(
            Event(
                kind: .postHidden, at: now, userID: post.authorID, circleID: post.circleID, postID: postID,
                context: "reports"), in: db)
        return true
    }


    /// Posts hidden by moderation whose authors are `user`, for the conduct dimension of credit.
    public func moderationOutcomes(of user: UserID) throws -> (held: Int, removed: Int) {
        try database.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS held, coalesce(sum(q.outcome = 'removed'), 0) AS removed
                    FROM moderation_queue q JOIN posts p ON p.id = q.post_id WHERE p.author_id = ? AND q.comment_id IS NULL
                    """, arguments: [user.rawValue])
            return (row?["held"] ?? 0, row?["removed"] ?? 0)
        }
    }

    static func post(_ id: Int64, _ db: Database) throws -> Post? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(columns) FROM posts WHERE id = ?"), arguments: [id]).map(post(from:))
    }

    /// The circle and author of a visible post, read without its text; else the post's refusal.
    /// The statements that follow are single-row writes without triggers, which SQLite runs
    /// without a statement journal: an `INSERT … SELECT` or an `UPDATE … RETURNING` in their
    /// place copied a page into the sub-journal each, with two pwrites once a larger write had
    /// spilled it to a file (strace).
    static func requireVisibleHead(_ id: Int64, _ db: Database) throws -> (circleID: CircleID, authorID: UserID) {
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT circle_id, author_id, status FROM posts WHERE id = ?"), arguments: [id])
        guard let row, row[2] as String == PostStatus.visible.rawValue else {
            _ = try requireVisible(id, db)
            throw QuanziError(.postNotVisible, "post \(id) is not visible")
        }
        return (CircleID(row[0] as String), UserID(row[1] as Int64))
    }

    static func requireVisible(_ id: Int64, _ db: Database) throws -> Post {
        guard let found = try post(id, db), found.status != .deleted else {
            throw QuanziError(.postNotFound, "no post \(id)")
        }
        guard found.status == .visible else {
            throw QuanziError(.postNotVisible, "post \(id) is hidden pending review")
        }
        return found
    }

    /// The columns `post(from:)` reads, by position: name lookups were most of a feed page's
    /// post loading.
    static let columns = "id, circle_id, author_id, kind, body, created_at, status, hidden_reason, like_count, comment_count, report_count"

    static func post(from row: Row) -> Post {
        Post(
            id: row[0], circleID: CircleID(row[1] as String), authorID: UserID(row[2] as Int64),
            kind: PostKind(rawValue: row[3]) ?? .text, body: row[4], createdAtEpochSeconds: row[5],
            status: PostStatus(rawValue: row[6]) ?? .hidden, hiddenReason: row[7],
            likeCount: row[8], commentCount: row[9], reportCount: row[10])
    }
}
