import Core
import PostgresNIO
import Social
import StorageModel

/// The statements that write posts and what happens to them, each written once for any number
/// of rows: the store's live writes pass one row, the bulk writer's flushes thousands. Rows go in
/// as one array per column (`unnest`), so a statement's text and its parameter count stay the
/// same whatever the number of rows.
enum PostgresPostWrites {
    /// A post as created: held posts start hidden, with the keywords that held them.
    struct NewPost {
        var circle: CircleID
        var author: UserID
        var kind: PostKind
        var body: String
        var createdAt: Int64
        var status: PostStatus
        var hiddenReason: String?
        /// Why the post is held for review, when it is.
        var hold: (reason: ModerationHoldReason, detail: String)?

        init(circle: CircleID, author: UserID, kind: PostKind, body: String, verdict: ModerationVerdict, at now: Int64) {
            self.circle = circle
            self.author = author
            self.kind = kind
            self.body = body
            createdAt = now
            status = verdict.hold == nil ? .visible : .hidden
            hiddenReason = verdict.hiddenReason
            hold = verdict.hold
        }

        func post(id: Int64) -> Post {
            Post(
                id: id, circleID: circle, authorID: author, kind: kind, body: body, createdAtEpochSeconds: createdAt,
                status: status, hiddenReason: hiddenReason)
        }

        /// The post's place in the moderation queue, when held.
        func queueEntry(id: Int64) -> QueueEntry? {
            hold.map { QueueEntry(postID: id, reason: $0.reason.rawValue, detail: $0.detail, at: createdAt) }
        }

        /// `post.created`, and `post.hidden` when held.
        func events(id: Int64) -> [Event] {
            var events = [Event(kind: .postCreated, at: createdAt, userID: author, circleID: circle, postID: id)]
            if let hold {
                events.append(Event(kind: .postHidden, at: createdAt, userID: author, circleID: circle, postID: id, context: hold.reason.rawValue))
            }
            return events
        }
    }

    /// Without `ids`, the identity column numbers the posts and the statement returns the ids in
    /// row order; with `ids` (reserved by the caller, see `PostgresBulkPosts`), they are stored as given.
    static func insert(_ posts: [NewPost], ids: [Int64]? = nil) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: 8)
        if let ids { bindings.append(ids) }
        bindings.append(posts.map(\.circle.rawValue))
        bindings.append(posts.map(\.author.rawValue))
        bindings.append(posts.map(\.kind.rawValue))
        bindings.append(posts.map(\.body))
        bindings.append(posts.map(\.createdAt))
        bindings.append(posts.map(\.status.rawValue))
        bindings.append(PostgresNullableArray(posts.map(\.hiddenReason)))
        let columns = "circle_id, author_id, kind, body, created_at, status, hidden_reason"
        let firstArray = ids == nil ? 1 : 2
        let arrays = ["text", "bigint", "text", "text", "bigint", "text", "text"].enumerated()
            .map { "$\(firstArray + $0.offset)::\($0.element)[]" }.joined(separator: ", ")
        let sql =
            ids == nil
            ? "INSERT INTO posts (\(columns)) SELECT * FROM unnest(\(arrays)) RETURNING id"
            : "INSERT INTO posts (id, \(columns)) OVERRIDING SYSTEM VALUE SELECT * FROM unnest($1::bigint[], \(arrays))"
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    struct QueueEntry {
        var postID: Int64
        /// `keywords`, `reports` or `rule`.
        var reason: String
        var detail: String
        var at: Int64
    }

    static func queueForModeration(_ entries: [QueueEntry]) -> PostgresQuery {
        """
        INSERT INTO moderation_queue (post_id, reason, detail, created_at, queued_at)
        SELECT p, r, d, a, a FROM unnest(\(entries.map(\.postID))::bigint[], \(entries.map(\.reason))::text[], \(entries.map(\.detail))::text[],
          \(entries.map(\.at))::bigint[]) AS q(p, r, d, a)
        """
    }

    /// One user's like, comment or report of a post.
    struct Interaction {
        var postID: Int64
        var user: UserID
        var at: Int64
        /// A comment's body or a report's reason; unused for likes.
        var text = ""
    }

    /// Rows already present are skipped: the changed-row count says how many were new.
    static func insertLikes(_ likes: [Interaction]) -> PostgresQuery {
        """
        INSERT INTO likes (post_id, user_id, created_at)
        SELECT * FROM unnest(\(likes.map(\.postID))::bigint[], \(likes.map(\.user.rawValue))::bigint[], \(likes.map(\.at))::bigint[])
        ON CONFLICT DO NOTHING
        """
    }

    /// Returns the comments' ids in row order.
    static func insertComments(_ comments: [Interaction]) -> PostgresQuery {
        """
        INSERT INTO comments (post_id, author_id, body, created_at)
        SELECT * FROM unnest(\(comments.map(\.postID))::bigint[], \(comments.map(\.user.rawValue))::bigint[], \(comments.map(\.text))::text[],
          \(comments.map(\.at))::bigint[])
        RETURNING id
        """
    }

    /// Rows already present (the same reporter twice) are skipped: the changed-row count says how many were new.
    static func insertReports(_ reports: [Interaction]) -> PostgresQuery {
        """
        INSERT INTO reports (post_id, reporter_id, reason, created_at)
        SELECT * FROM unnest(\(reports.map(\.postID))::bigint[], \(reports.map(\.user.rawValue))::bigint[], \(reports.map(\.text))::text[],
          \(reports.map(\.at))::bigint[])
        ON CONFLICT DO NOTHING
        """
    }

    /// A like, comment or report by `user`, aimed at the post's author (the target of reply and report rates).
    static func event(_ kind: EventKind, on post: Post, by user: UserID, at now: Int64) -> Event {
        Event(kind: kind, at: now, userID: user, circleID: post.circleID, postID: post.id, targetUserID: post.authorID)
    }

    /// Likes, comments and reports to add to one post's counts.
    struct CountsAdded {
        var likes = 0
        var comments = 0
        var reports = 0
    }

    /// Adds to the counts: relative, so rows nobody locked still count right. One entry per post.
    static func addCounts(_ added: [Int64: CountsAdded]) -> PostgresQuery {
        let ids = Array(added.keys)
        let counts = ids.map { added[$0] ?? CountsAdded() }
        return """
            UPDATE posts SET like_count = like_count + d.likes, comment_count = comment_count + d.comments,
              report_count = report_count + d.reports
            FROM unnest(\(ids)::bigint[], \(counts.map(\.likes))::bigint[], \(counts.map(\.comments))::bigint[],
              \(counts.map(\.reports))::bigint[]) AS d(id, likes, comments, reports)
            WHERE posts.id = d.id
            """
    }

    /// The report that brings a post to `hideAtReports` reports hides it and queues it for review.
    struct Hiding {
        var postID: Int64
        var reports: Int
        var at: Int64

        static func after(reportCount reports: Int, hideAtReports: Int, postID: Int64, at now: Int64) -> Hiding? {
            reports >= hideAtReports ? Hiding(postID: postID, reports: reports, at: now) : nil
        }

        var hiddenReason: String { "hidden after \(reports) reports" }
        var queueEntry: QueueEntry { QueueEntry(postID: postID, reason: "reports", detail: "\(reports) reports", at: at) }

        /// `post.hidden`, credited to the author whose post it is.
        func event(on post: Post) -> Event {
            Event(kind: .postHidden, at: at, userID: post.authorID, circleID: post.circleID, postID: postID, context: "reports")
        }
    }

    static func hide(_ hidings: [Hiding]) -> PostgresQuery {
        """
        UPDATE posts SET status = 'hidden', hidden_reason = h.reason
        FROM unnest(\(hidings.map(\.postID))::bigint[], \(hidings.map(\.hiddenReason))::text[]) AS h(id, reason)
        WHERE posts.id = h.id
        """
    }
}
