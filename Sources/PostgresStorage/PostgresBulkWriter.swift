import Core
import PostgresNIO
import Social
import StorageModel

/// Many writes in one transaction (one commit) on PostgreSQL: StorageModel's `BulkWriting`, as
/// SQLiteStorage's `BulkWriter` is on SQLite. The rows and events are those the single-write stores
/// write, through the same statements, but buffered (`PostgresBulkRows`) and sent many rows per
/// statement: one round trip per row made seeding take minutes. What a write must know at once
/// (a new post's id, whether a like or report counts) comes from `PostgresBulkPosts`.
public final class PostgresBulkWriter: BulkWriting {
    let session: PostgresSession
    private var rows = PostgresBulkRows()
    private var posts = PostgresBulkPosts()

    init(session: PostgresSession) { self.session = session }

    public func insertUser(_ user: UserProfile, isAdmin: Bool) throws {
        rows.users.append((user, isAdmin))
        rows.events.append(PostgresUserStore.createdEvent(user))
        try flushWhenFull()
    }

    public func befriend(_ first: UserID, _ second: UserID, at now: Int64) throws {
        let friendship = PostgresFriendStore.Friendship(first: first, second: second, since: now)
        rows.friendships.append(friendship)
        rows.events.append(friendship.addedEvent)
        try flushWhenFull()
    }

    public func createPost(circle: CircleID, author: UserID, kind: PostKind, body: String, verdict: ModerationVerdict, at now: Int64) throws -> Post {
        let new = PostgresPostWrites.NewPost(circle: circle, author: author, kind: kind, body: body, verdict: verdict, at: now)
        let id = try posts.reserveID(session)
        rows.posts.append((id, new))
        if let entry = new.queueEntry(id: id) { rows.moderationQueue.append(entry) }
        rows.events += new.events(id: id)
        let post = new.post(id: id)
        posts.created(post)
        try flushWhenFull()
        return post
    }

    /// Likes unless already liked; returns whether a like was added.
    @discardableResult
    public func like(_ postID: Int64, by user: UserID, at now: Int64) throws -> Bool {
        let post = try posts.requireVisible(postID, session)
        guard posts.like(postID, by: user) else { return false }
        rows.likes.append(PostgresPostWrites.Interaction(postID: postID, user: user, at: now))
        rows.countsAdded[postID, default: .init()].likes += 1
        rows.events.append(PostgresPostWrites.event(.likeCreated, on: post, by: user, at: now))
        rows.affinityBumps.append(PostgresAffinityStore.Bump(viewer: user, author: post.authorID, interaction: .like, at: now))
        try flushWhenFull()
        return true
    }

    public func comment(on postID: Int64, by user: UserID, body: String, at now: Int64) throws {
        let post = try posts.requireVisible(postID, session)
        posts.comment(postID)
        rows.comments.append(PostgresPostWrites.Interaction(postID: postID, user: user, at: now, text: body))
        rows.countsAdded[postID, default: .init()].comments += 1
        rows.events.append(PostgresPostWrites.event(.commentCreated, on: post, by: user, at: now))
        rows.affinityBumps.append(PostgresAffinityStore.Bump(viewer: user, author: post.authorID, interaction: .comment, at: now))
        try flushWhenFull()
    }

    @discardableResult
    public func report(_ postID: Int64, by user: UserID, reason: String, hideAtReports: Int, at now: Int64) throws -> Bool {
        let post = try posts.requireVisible(postID, session)
        let reports = try posts.report(postID, by: user)
        rows.reports.append(PostgresPostWrites.Interaction(postID: postID, user: user, at: now, text: reason))
        rows.countsAdded[postID, default: .init()].reports += 1
        rows.events.append(PostgresPostWrites.event(.reportCreated, on: post, by: user, at: now))
        let hiding = PostgresPostWrites.Hiding.after(reportCount: reports, hideAtReports: hideAtReports, postID: postID, at: now)
        if let hiding {
            posts.hide(hiding)
            rows.hidings.append(hiding)
            rows.moderationQueue.append(hiding.queueEntry)
            rows.events.append(hiding.event(on: post))
        }
        try flushWhenFull()
        return hiding != nil
    }

    /// A `report.created` event against `author` without a report row: for simulations and
    /// tests of metrics, where the post itself does not matter.
    public func recordReport(on author: UserID, by reporter: UserID?, at now: Int64) throws {
        rows.events.append(Event(kind: .reportCreated, at: now, userID: reporter, targetUserID: author))
        try flushWhenFull()
    }

    public func bumpAffinity(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at now: Int64) throws {
        rows.affinityBumps.append(PostgresAffinityStore.Bump(viewer: viewer, author: author, interaction: interaction, at: now))
        try flushWhenFull()
    }

    public func recordView(_ postID: Int64, circle: CircleID, by user: UserID, author: UserID, at now: Int64) throws {
        rows.viewedPages.append(
            ViewedPage(viewerID: user, circleID: circle, atEpochSeconds: now, postIDs: [postID], authorIDs: [author.rawValue]))
        try flushWhenFull()
    }

    /// Sends every buffered row; the transaction commits only after this.
    func flush() throws { try rows.flush(session) }

    private func flushWhenFull() throws {
        if rows.count >= PostgresBulkRows.rowsMax { try flush() }
    }
}

extension QuanziPostgresDatabase {
    /// Runs `body` once, in one write transaction, then sends what it buffered. Never rerun:
    /// bodies count what they wrote and draw random numbers as they go (seeding), which a rerun
    /// would repeat. Bulk writes run on a quiet database, so PostgreSQL has no reason to ask for one.
    public func bulkWrite<T>(_ body: (PostgresBulkWriter) throws -> T) throws -> T {
        // Bulk writes name no viewers: every cached signal and seen set is read again.
        defer {
            socialSignalCache.invalidateAll()
            seenPostsIndex.reloadAll()
        }
        return try write(attemptsMax: 1) { session in
            let writer = PostgresBulkWriter(session: session)
            let result = try body(writer)
            try writer.flush()
            return result
        }
    }
}
