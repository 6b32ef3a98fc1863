import APIInput
import BlockingWork
import Core
import Hummingbird
import Service

/// `/v1/posts/:id`: reading and deleting a post, its comments, likes and reports. Every action
/// runs its circle's rule in the service; a denial is a 403 carrying the rule's reason.
struct PostsController {
    let service: QuanziService

    func addRoutes(to group: RouterGroup<QuanziRequestContext>) {
        group.get("posts/:id", use: post)
        group.delete("posts/:id", use: delete)
        group.get("posts/:id/comments", use: comments)
        group.post("posts/:id/comments", use: comment)
        group.post("posts/:id/likes", use: like)
        group.post("posts/:id/reports", use: report)
        group.post("posts/:id/show-less", use: showLess)
    }

    @Sendable func post(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let postID = try context.pathID("id")
        return try JSONResponse.make(PostView(try await Blocking.run { [service] in try service.viewablePost(postID, by: caller.userID) }))
    }

    @Sendable func delete(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let postID = try context.pathID("id")
        try await Blocking.commit { [service] in try service.deletePost(postID, by: caller.userID) }
        return Response(status: .noContent)
    }

    @Sendable func comments(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let page = try PageQuery(request)
        let postID = try context.pathID("id")
        // One extra row says whether another page exists.
        let comments = try await Blocking.run { [service] in
            let post = try service.viewablePost(postID, by: caller.userID)
            return try service.posts.comments(on: post.id, afterID: page.cursor ?? 0, limit: page.limit + 1)
        }
        let shown = comments.prefix(page.limit)
        let next = comments.count > page.limit ? shown.last.map { String($0.id) } : nil
        return try JSONResponse.make(CommentsPage(comments: shown.map(CommentView.init), nextCursor: next))
    }

    @Sendable func comment(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let postID = try context.pathID("id")
        let body = try await request.decodeJSON(as: NewComment.self, context: context)
        let comment = try await Blocking.commit { [service] in try service.comment(on: postID, by: caller.userID, body: body.body) }
        return try JSONResponse.make(CommentView(comment), status: .created)
    }

    @Sendable func like(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let postID = try context.pathID("id")
        try await Blocking.commit { [service] in try service.like(postID, by: caller.userID) }
        return Response(status: .noContent)
    }

    @Sendable func showLess(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let postID = try context.pathID("id")
        try await Blocking.commit { [service] in _ = try service.showLess(postID, by: caller.userID) }
        return Response(status: .noContent)
    }

    @Sendable func report(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let postID = try context.pathID("id")
        let body = try await request.decodeJSON(as: NewReport.self, context: context)
        let hidden = try await Blocking.commit { [service] in try service.report(postID, by: caller.userID, reason: body.reason) }
        return try JSONResponse.make(ReportView(postID: postID, hidden: hidden), status: .created)
    }
}
