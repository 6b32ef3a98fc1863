import Core
import Feed
import Social

/// The parts of a post that never change once written (author, circle, kind, body, time), so a
/// feed page is built without reading its posts back: loading twenty posts by id was a tenth of
/// a feed request. Counts and status come from the circle's window, which the service keeps
/// current; a post not cached yet is read once.
final class PostContentCache: Sendable {
    /// A post is a few hundred bytes; past this many the cache starts over.
    static let postsMax = 200_000

    private let posts = ReadWriteLocked<[Int64: Post]>([:])

    func remember(_ post: Post) {
        posts.write { posts in
            if posts.count >= Self.postsMax { posts.removeAll(keepingCapacity: true) }
            posts[post.id] = post
        }
    }

    /// Cached content with the window's counts and status.
    static func current(_ post: Post, row: CandidateRow) -> Post {
        var post = post
        post.likeCount = row.likeCount
        post.commentCount = row.commentCount
        post.reportCount = row.reportCount
        post.tipsFen = row.tipsFen
        post.status = status(row.status)
        return post
    }

    /// The post's content if held (its counts may be stale); nothing is read.
    func held(_ postID: Int64) -> Post? { posts.read { $0[postID] } }

    /// The unchanging content of one post (author, kind, body; its counts may be stale), read by
    /// `load` when not cached yet; nil when there is no such post.
    func content(of postID: Int64, load: (Int64) throws -> Post?) rethrows -> Post? {
        if let post = posts.read({ $0[postID] }) { return post }
        guard let post = try load(postID) else { return nil }
        remember(post)
        return post
    }

    /// The posts of `rows` as they are now: cached content with the window's counts and status.
    /// `known` is content the caller already holds (from `content(of:load:)`); `load` reads the
    /// posts neither holds yet.
    func posts(_ rows: [CandidateRow], known: [Int64: Post] = [:], load: ([Int64]) throws -> [Int64: Post]) rethrows -> [Int64: Post] {
        var (found, missing) = (known, [Int64]())
        let unknown = rows.filter { known[$0.postID] == nil }
        if !unknown.isEmpty {
            posts.read { posts in
                for row in unknown {
                    if let post = posts[row.postID] { found[row.postID] = post } else { missing.append(row.postID) }
                }
            }
        }
        if !missing.isEmpty {
            let loaded = try load(missing)
            for post in loaded.values { remember(post) }
            found.merge(loaded) { cached, _ in cached }
        }
        for row in rows {
            guard let post = found[row.postID] else { continue }
            found[row.postID] = Self.current(post, row: row)
        }
        return found
    }

    static func status(_ status: CandidateStatus) -> PostStatus {
        switch status {
        case .visible: .visible
        case .hidden: .hidden
        case .deleted: .deleted
        }
    }
}
