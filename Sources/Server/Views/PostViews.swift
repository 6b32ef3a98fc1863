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

    init(_ post: Post) {
        id = post.id
        circleID = post.circleID.rawValue
        authorID = post.authorID.rawValue
        kind = post.kind.rawValue
        body = post.body
        createdAt = post.createdAtEpochSeconds
        likeCount = post.likeCount
        commentCount = post.commentCount
    }
}

struct CommentView: Codable, Sendable {
    let id: Int64
    let postID: Int64
    let authorID: Int64
    let body: String
    let createdAt: Int64

    init(_ comment: Comment) {
        id = comment.id
        postID = comment.postID
        authorID = comment.authorID.rawValue
        body = comment.body
        createdAt = comment.createdAtEpochSeconds
    }
}

struct CommentsPage: Codable, Sendable {
    let comments: [CommentView]
    /// Pass as `cursor` for the next page; absent on the last page.
    let nextCursor: String?
}

struct ReportView: Codable, Sendable {
    let postID: Int64
    /// Whether this report pushed the post over its circle's threshold and hid it.
    let hidden: Bool
}
