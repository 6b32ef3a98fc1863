import Core

/// The posts one viewer was shown in one circle at one moment: one row of `page_views`.
///
/// Views are stored a page to a row rather than as a `post.viewed` event per post. A feed page
/// shows about twenty posts, and at full feed load one indexed event row per post was the
/// largest single cost of the server (the one SQLite writer fell behind and feeds waited on
/// it). Readers that count views (experiment metrics, the seen-posts index) expand a page
/// into its posts, so metrics still name the `post.viewed` kind: each post of a page counts as
/// one `post.viewed` by the viewer, with the post's author as target.
public struct ViewedPage: Sendable, Hashable {
    public var viewerID: UserID
    public var circleID: CircleID
    public var atEpochSeconds: Int64
    /// Shown posts in page order, and each one's author (same length).
    public var postIDs: [Int64]
    public var authorIDs: [Int64]

    public init(viewerID: UserID, circleID: CircleID, atEpochSeconds: Int64, postIDs: [Int64], authorIDs: [Int64]) {
        precondition(postIDs.count == authorIDs.count, "a viewed page needs one author per post")
        self.viewerID = viewerID
        self.circleID = circleID
        self.atEpochSeconds = atEpochSeconds
        self.postIDs = postIDs
        self.authorIDs = authorIDs
    }

    /// How much of a viewer's history in one circle counts as seen: at most this many posts
    /// (SQLite's in-memory `SeenPostsIndex`), read from at most this many newest pages (both
    /// backends), so a viewer who scrolled thousands of pages does not cost a long read.
    public static let seenHistoryMax = 5_000

    /// The event kind metrics use for each post of a page.
    public static let eventKind = EventKind.postViewed.rawValue

    /// `views` seen at `now` as pages: one per (viewer, circle), in first-seen order (a feed
    /// page gives exactly one).
    public static func pages(of views: some Collection<RecordedView>, at now: Int64) -> [ViewedPage] {
        var pages: [ViewedPage] = []
        var pageOf: [PageKey: Int] = [:]
        for view in views {
            let key = PageKey(viewerID: view.viewerID, circleID: view.circleID)
            if let index = pageOf[key] {
                pages[index].postIDs.append(view.postID)
                pages[index].authorIDs.append(view.authorID.rawValue)
            } else {
                pageOf[key] = pages.count
                pages.append(ViewedPage(
                    viewerID: view.viewerID, circleID: view.circleID, atEpochSeconds: now, postIDs: [view.postID],
                    authorIDs: [view.authorID.rawValue]))
            }
        }
        return pages
    }

    /// This page as pages of at most `postsMax` posts each (itself when it is no longer).
    public func split(postsMax: Int) -> [ViewedPage] {
        precondition(postsMax > 0)
        guard postIDs.count > postsMax else { return [self] }
        return stride(from: 0, to: postIDs.count, by: postsMax).map { start in
            let end = min(start + postsMax, postIDs.count)
            return ViewedPage(
                viewerID: viewerID, circleID: circleID, atEpochSeconds: atEpochSeconds, postIDs: Array(postIDs[start..<end]),
                authorIDs: Array(authorIDs[start..<end]))
        }
    }

    private struct PageKey: Hashable {
        var viewerID: UserID
        var circleID: CircleID
    }
}
