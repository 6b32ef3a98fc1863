import Core
import PostgresNIO
import Social
import StorageModel

/// Posts, comments, likes, reports and the moderation queue on PostgreSQL (Storage's
/// `PostStore`). Each write records its event in the same transaction. A write first locks its
/// post's row (`FOR UPDATE`): counts, the report threshold and the visibility check then see
/// every earlier write to that post, from any node, as SQLite's single writer saw them.
public struct PostgresPostStore: Sendable {
    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    /// Makes the circles table match the loaded plugins (titles may change; circles are never
    /// deleted because posts refer to them).
    public func syncCircles(_ circles: [CircleDefinition]) throws {
        guard !circles.isEmpty else { return }
        try database.write { session in
            try session.execute(
                """
                INSERT INTO circles (id, title) SELECT * FROM unnest(\(circles.map(\.id.rawValue))::text[], \(circles.map(\.title))::text[])
                ON CONFLICT (id) DO UPDATE SET title = excluded.title
                """)
        }
    }

    /// Stores a new post; a post held by moderation is hidden and queued for review.
    public func create(
        circle: CircleID, author: UserID, kind: PostKind, body: String, verdict: ModerationVerdict,
        at now: Int64
    ) throws(QuanziError) -> Post {
        try QuanziError.wrapping {
            try database.write { session in
                try Self.create(circle: circle, author: author, kind: kind, body: body, verdict: verdict, at: now, session)
            }
        }
    }

    static func create(
        circle: CircleID, author: UserID, kind: PostKind, body: String, verdict: ModerationVerdict,
        at now: Int64, _ session: PostgresSession
    ) throws -> Post {
        let new = PostgresPostWrites.NewPost(circle: circle, author: author, kind: kind, body: body, verdict: verdict, at: now)
        guard let id = try session.value(PostgresPostWrites.insert([new]), as: Int64.self) else {
            throw PostgresStorageCorrupt(reason: "INSERT returned no post id")
        }
        if let entry = new.queueEntry(id: id) { try session.execute(PostgresPostWrites.queueForModeration([entry])) }
        try PostgresEventLog.append(new.events(id: id), in: session)
        return new.post(id: id)
    }

    /// Posts by id (missing ids are absent from the result).
    public func posts(_ ids: [Int64]) throws -> [Int64: Post] {
        guard !ids.isEmpty else { return [:] }
        return try database.unsafeRead { session in
            var result: [Int64: Post] = [:]
            for row in try session.rows("SELECT \(unescaped: Self.columns) FROM posts WHERE id = ANY(\(ids))", as: Self.Row.self) {
                let post = Self.post(from: row)
                result[post.id] = post
            }
            return result
        }
    }

    public func post(_ id: Int64) throws -> Post? {
        try database.unsafeRead { session in try Self.post(id, session, lock: false) }
    }

    /// The post, or `post_not_found` (deleted posts are gone for everyone).
    public func requireVisible(_ id: Int64) throws(QuanziError) -> Post {
        let found = try QuanziError.wrapping { try post(id) }
        return try Self.visible(found, id: id)
    }

    /// The author deletes their own post.
    public func delete(_ id: Int64, by user: UserID, at now: Int64) throws(QuanziError) {
        try QuanziError.wrapping {
            try database.write { session in
                guard let post = try Self.post(id, session, lock: true), post.status != .deleted else {
                    throw QuanziError(.postNotFound, "no post \(id)")
                }
                guard post.authorID == user else {
                    throw QuanziError(.forbidden, "only the author may delete post \(id)")
                }
                try session.execute("UPDATE posts SET status = 'deleted', hidden_reason = NULL WHERE id = \(id)")
                try PostgresEventLog.append(
                    Event(kind: .postDeleted, at: now, userID: user, circleID: post.circleID, postID: id), in: session)
            }
        }
    }

    public func comment(on postID: Int64, by user: UserID, body: String, verdict: ModerationVerdict, at now: Int64) throws(QuanziError) -> Comment {
        // The comment bumps the commenter's affinity (see `SocialSignalCache` for the defer).
        defer { database.socialSignalCache.invalidate([user]) }
        return try QuanziError.wrapping {
            try database.write { session in
                if let hold = verdict.hold { return try Self.heldComment(on: postID, by: user, body: body, hold: hold, at: now, session) }
                return try Self.comment(on: postID, by: user, body: body, at: now, session)
            }
        }
    }

    /// A comment held for review: stored hidden and queued, neither counted nor announced.
    static func heldComment(
        on postID: Int64, by user: UserID, body: String, hold: (reason: ModerationHoldReason, detail: String), at now: Int64,
        _ session: PostgresSession
    ) throws -> Comment {
        let post = try requireVisible(postID, session)
        guard let id = try session.value(
            """
            INSERT INTO comments (post_id, author_id, body, created_at, status) VALUES (\(postID), \(user.rawValue), \(body), \(now), 'hidden')
            RETURNING id
            """, as: Int64.self)
        else { throw PostgresStorageCorrupt(reason: "INSERT returned no comment id") }
        try session.execute(
            """
            INSERT INTO moderation_queue (post_id, comment_id, reason, detail, created_at, queued_at)
            VALUES (\(postID), \(id), \(hold.reason.rawValue), \(hold.detail), \(now), \(now))
            """)
        try PostgresEventLog.append(
            Event(
                kind: .commentHidden, at: now, userID: user, circleID: post.circleID, postID: postID, targetUserID: post.authorID,
                context: hold.reason.rawValue), in: session)
        return Comment(id: id, postID: postID, authorID: user, body: body, createdAtEpochSeconds: now, heldForReview: true)
    }

    static func comment(on postID: Int64, by user: UserID, body: String, at now: Int64, _ session: PostgresSession) throws -> Comment {
        let post = try requireVisible(postID, session)
        let comment = PostgresPostWrites.Interaction(postID: postID, user: user, at: now, text: body)
        guard let id = try session.value(PostgresPostWrites.insertComments([comment]), as: Int64.self) else {
            throw PostgresStorageCorrupt(reason: "INSERT returned no comment id")
        }
        try session.execute(PostgresPostWrites.addCounts([postID: .init(comments: 1)]))
        try PostgresEventLog.append(PostgresPostWrites.event(.commentCreated, on: post, by: user, at: now), in: session)
        try PostgresAffinityStore.bump(viewer: user, author: post.authorID, .comment, at: now, session)
        return Comment(id: id, postID: postID, authorID: user, body: body, createdAtEpochSeconds: now)
    }

    public func comments(on postID: Int64, afterID: Int64 = 0, limit: Int = 50) throws -> [Comment] {
        try database.unsafeRead { session in
            try session.rows(
                """
                SELECT id, post_id, author_id, body, created_at FROM comments
                WHERE post_id = \(postID) AND id > \(afterID) AND status = 'visible' ORDER BY id LIMIT \(limit)
                """, as: (Int64, Int64, Int64, String, Int64).self
            ).map { id, postID, author, body, createdAt in
                Comment(id: id, postID: postID, authorID: UserID(author), body: body, createdAtEpochSeconds: createdAt)
            }
        }
    }

    public func like(_ postID: Int64, by user: UserID, at now: Int64) throws(QuanziError) {
        defer { database.socialSignalCache.invalidate([user]) }
        try QuanziError.wrapping {
            try database.write { session in
                guard try Self.like(postID, by: user, at: now, session) else {
                    throw QuanziError(.alreadyLiked, "user \(user) already likes post \(postID)")
                }
            }
        }
    }

    /// Returns false when the user already liked the post.
    static func like(_ postID: Int64, by user: UserID, at now: Int64, _ session: PostgresSession) throws -> Bool {
        let post = try requireVisible(postID, session)
        let added = try session.changes(PostgresPostWrites.insertLikes([PostgresPostWrites.Interaction(postID: postID, user: user, at: now)]))
        guard added == 1 else { return false }
        try session.execute(PostgresPostWrites.addCounts([postID: .init(likes: 1)]))
        try PostgresEventLog.append(PostgresPostWrites.event(.likeCreated, on: post, by: user, at: now), in: session)
        try PostgresAffinityStore.bump(viewer: user, author: post.authorID, .like, at: now, session)
        return true
    }

    /// Records a report; at `hideAtReports` reports the post is hidden and queued for review.
    /// Returns whether this report hid the post.
    @discardableResult
    public func report(_ postID: Int64, by user: UserID, reason: String, hideAtReports: Int, at now: Int64) throws(QuanziError) -> Bool {
        try QuanziError.wrapping {
            try database.write { session in
                try Self.report(postID, by: user, reason: reason, hideAtReports: hideAtReports, at: now, session)
            }
        }
    }

    static func report(
        _ postID: Int64, by user: UserID, reason: String, hideAtReports: Int, at now: Int64, _ session: PostgresSession
    ) throws -> Bool {
        let post = try requireVisible(postID, session)
        let added = try session.changes(
            PostgresPostWrites.insertReports([PostgresPostWrites.Interaction(postID: postID, user: user, at: now, text: reason)]))
        guard added == 1 else {
            throw QuanziError(.alreadyReported, "user \(user) already reported post \(postID)")
        }
        try session.execute(PostgresPostWrites.addCounts([postID: .init(reports: 1)]))
        var events = [PostgresPostWrites.event(.reportCreated, on: post, by: user, at: now)]
        let hiding = PostgresPostWrites.Hiding.after(reportCount: post.reportCount + 1, hideAtReports: hideAtReports, postID: postID, at: now)
        if let hiding {
            try session.execute(PostgresPostWrites.hide([hiding]))
            try session.execute(PostgresPostWrites.queueForModeration([hiding.queueEntry]))
            events.append(hiding.event(on: post))
        }
        try PostgresEventLog.append(events, in: session)
        return hiding != nil
    }

    /// The user's "show less" on a visible post; false when already marked. This node's feeds
    /// forget the user's signals after the commit, other nodes' when they follow the event.
    @discardableResult
    public func showLess(_ postID: Int64, by user: UserID, at now: Int64) throws(QuanziError) -> Bool {
        defer { database.socialSignalCache.invalidate([user]) }
        return try QuanziError.wrapping {
            try database.write { session in
                let post = try Self.requireVisible(postID, session)
                let inserted = try session.changes(
                    """
                    INSERT INTO show_less_marks (user_id, post_id, author_id, created_at)
                    VALUES (\(user.rawValue), \(postID), \(post.authorID.rawValue), \(now)) ON CONFLICT DO NOTHING
                    """)
                guard inserted == 1 else { return false }
                try PostgresEventLog.append(
                    Event(kind: .postShowLess, at: now, userID: user, circleID: post.circleID, postID: postID, targetUserID: post.authorID),
                    in: session)
                return true
            }
        }
    }

    /// Posts hidden by moderation whose authors are `user`, for the conduct dimension of credit.
    public func moderationOutcomes(of user: UserID) throws -> (held: Int, removed: Int) {
        try database.unsafeRead { session in
            let row = try session.row(
                """
                SELECT count(*), count(*) FILTER (WHERE q.outcome = 'removed')
                FROM moderation_queue q JOIN posts p ON p.id = q.post_id WHERE p.author_id = \(user.rawValue) AND q.comment_id IS NULL
                """, as: (Int, Int).self)
            return (row?.0 ?? 0, row?.1 ?? 0)
        }
    }

    /// `lock`: `FOR UPDATE`, for a write that depends on what it read.
    static func post(_ id: Int64, _ session: PostgresSession, lock: Bool) throws -> Post? {
        try session.row("SELECT \(unescaped: columns) FROM posts WHERE id = \(id)\(unescaped: lock ? " FOR UPDATE" : "")", as: Row.self)
            .map(post(from:))
    }

    /// The post, locked for the rest of the caller's transaction, if it may be interacted with.
    static func requireVisible(_ id: Int64, _ session: PostgresSession) throws -> Post {
        try visible(try post(id, session, lock: true), id: id)
    }

    static func visible(_ found: Post?, id: Int64) throws(QuanziError) -> Post {
        guard let found, found.status != .deleted else {
            throw QuanziError(.postNotFound, "no post \(id)")
        }
        guard found.status == .visible else {
            throw QuanziError(.postNotVisible, "post \(id) is hidden pending review")
        }
        return found
    }

    static let columns = "id, circle_id, author_id, kind, body, created_at, status, hidden_reason, like_count, comment_count, report_count"
    typealias Row = (Int64, String, Int64, String, String, Int64, String, String?, Int, Int, Int)

    static func post(from row: Row) -> Post {
        let (id, circle, author, kind, body, createdAt, status, hiddenReason, likes, comments, reports) = row
        return Post(
            id: id, circleID: CircleID(circle), authorID: UserID(author), kind: PostKind(rawValue: kind) ?? .text, body: body,
            createdAtEpochSeconds: createdAt, status: PostStatus(rawValue: status) ?? .hidden, hiddenReason: hiddenReason,
            likeCount: likes, commentCount: comments, reportCount: reports)
    }
}
