import Social

struct PostView: Codable, Sendable {
    let id: Int64
    let circleID: String
    let authorID: Int64
    let kind: String
    let body: String
    let createdAt: Int64
    let likeCount: Int
    let commentCount: Int

    enum CodingKeys: String, CodingKey {
        case id, circleID = "circle_id", authorID = "author_id", kind, body, createdAt = "created_at", likeCount = "like_count", commentCount = "comment_count"
    }
}

extension PostView {
    init(_ post: Post) {
        self.init(
            id: post.id, circleID: post.circleID.rawValue, authorID: post.authorID.rawValue, kind: post.kind.rawValue, body: post.body,
            createdAt: post.createdAtEpochSeconds, likeCount: post.likeCount, commentCount: post.commentCount)
    }
}

struct CommentView: Codable, Sendable {
    let id: Int64
    let postID: Int64
    let authorID: Int64
    let body: String
    let createdAt: Int64
    /// True for a comment the circle's keywords held: only its author knows of it until a
    /// moderator approves it (absent otherwise).
    let heldForReview: Bool?

    init(_ comment: Comment) {
        id = comment.id
        postID = comment.postID
        authorID = comment.authorID.rawValue
        body = comment.body
        createdAt = comment.createdAtEpochSeconds
        heldForReview = comment.heldForReview ? true : nil
    }

    enum CodingKeys: String, CodingKey {
        case id, postID = "post_id", authorID = "author_id", body, createdAt = "created_at", heldForReview = "held_for_review"
    }
}

struct CommentsPage: Codable, Sendable {
    let comments: [CommentView]
    /// Pass as `cursor` for the next page; absent on the last page.
    let nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case comments, nextCursor = "next_cursor"
    }
}

struct ReportView: Codable, Sendable {
    let postID: Int64
    /// Whether this report pushed the post over its circle's threshold and hid it.
    let hidden: Bool

    enum CodingKeys: String, CodingKey {
        case postID = "post_id", hidden
    }
}
