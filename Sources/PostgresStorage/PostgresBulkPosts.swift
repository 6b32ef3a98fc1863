import Core
import PostgresNIO
import Social

/// What a bulk write knows about the posts it touches, so that likes, comments and reports are
/// decided in memory (visible? liked already? which report hides it?) instead of one locked read
/// per interaction, and new posts get their ids without a round trip each.
///
/// Memory is the truth for every post it holds: a post enters when this writer creates it or
/// first reads it (locked `FOR UPDATE`, so no other transaction changes it until commit), and
/// every later write to it goes through here. So no read ever waits for buffered rows to be
/// flushed: the rows a read would miss all belong to posts already held.
struct PostgresBulkPosts {
    /// Posts read per round trip when a write meets a post not yet held: callers walk posts in
    /// id order (seeding does), so the ones after it come along. Each is one locked row plus its
    /// likers and reporters.
    static let readWindow: Int64 = 1_000

    struct Held {
        var post: Post
        var likers: Set<Int64>
        var reporters: Set<Int64>
    }

    private var held: [Int64: Held] = [:]
    /// The next id to hand out, once this writer has locked the posts table (see `reserveID`).
    private var nextID: Int64?

    /// The id the identity column would have given the next post. The first call locks the
    /// posts table against other writers (readers go on) until commit, then takes the sequence's
    /// next value; later ids follow without asking. The flush moves the sequence past every id
    /// handed out (``sequenceCatchUp(to:)``), so after this transaction the identity column
    /// continues exactly where a post-by-post insert would have left it: no gaps, no reuse.
    mutating func reserveID(_ session: PostgresSession) throws -> Int64 {
        if nextID == nil {
            try session.execute("LOCK TABLE posts IN EXCLUSIVE MODE")
            nextID = try session.value("SELECT nextval(pg_get_serial_sequence('posts', 'id'))", as: Int64.self)
            guard nextID != nil else { throw PostgresStorageCorrupt(reason: "the posts id sequence returned no value") }
        }
        defer { nextID? += 1 }
        return nextID!
    }

    static func sequenceCatchUp(to lastID: Int64) -> PostgresQuery {
        "SELECT setval(pg_get_serial_sequence('posts', 'id'), \(lastID))"
    }

    mutating func created(_ post: Post) {
        held[post.id] = Held(post: post, likers: [], reporters: [])
    }

    /// The post, if it may be interacted with (as `PostgresPostStore.requireVisible` decides).
    mutating func requireVisible(_ id: Int64, _ session: PostgresSession) throws -> Post {
        if held[id] == nil { try read(from: id, session) }
        return try PostgresPostStore.visible(held[id]?.post, id: id)
    }

    /// Records a like of a post `requireVisible` returned; false when the user already likes it.
    mutating func like(_ id: Int64, by user: UserID) -> Bool {
        guard held[id]?.likers.insert(user.rawValue).inserted == true else { return false }
        held[id]?.post.likeCount += 1
        return true
    }

    mutating func comment(_ id: Int64) {
        held[id]?.post.commentCount += 1
    }

    /// Records a report of a post `requireVisible` returned, or throws `already_reported`;
    /// returns the post's report count including this one.
    mutating func report(_ id: Int64, by user: UserID) throws -> Int {
        guard held[id]?.reporters.insert(user.rawValue).inserted == true else {
            throw QuanziError(.alreadyReported, "user \(user) already reported post \(id)")
        }
        held[id]?.post.reportCount += 1
        return held[id]?.post.reportCount ?? 0
    }

    mutating func hide(_ hiding: PostgresPostWrites.Hiding) {
        held[hiding.postID]?.post.status = .hidden
        held[hiding.postID]?.post.hiddenReason = hiding.hiddenReason
    }

    /// Reads and locks the posts from `first` on, up to `readWindow`, that are not held yet.
    private mutating func read(from first: Int64, _ session: PostgresSession) throws {
        let rows = try session.rows(
            """
            SELECT \(unescaped: PostgresPostStore.columns),
              ARRAY(SELECT l.user_id FROM likes l WHERE l.post_id = posts.id),
              ARRAY(SELECT r.reporter_id FROM reports r WHERE r.post_id = posts.id)
            FROM posts WHERE id >= \(first) AND id < \(first + Self.readWindow) ORDER BY id FOR UPDATE
            """, as: (Int64, String, Int64, String, String, Int64, String, String?, Int, Int, Int, [Int64], [Int64]).self)
        for (id, circle, author, kind, body, createdAt, status, hiddenReason, likes, comments, reports, likers, reporters) in rows
        where held[id] == nil {
            let post = PostgresPostStore.post(from: (id, circle, author, kind, body, createdAt, status, hiddenReason, likes, comments, reports))
            held[id] = Held(post: post, likers: Set(likers), reporters: Set(reporters))
        }
    }
}
