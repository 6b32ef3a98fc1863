import Core
import PostgresNIO
import Social
import StorageModel

/// The rows a bulk write has decided on but not yet sent, and how they are sent: one
/// statement per table (the stores' own statements, given many rows), in an order the foreign
/// keys accept. Within a table, rows keep the order the writes came in, so identity columns
/// (events, comments, reports, the moderation queue) number them as one write at a time would.
struct PostgresBulkRows {
    /// Rows held before a flush; bounds the writer's memory and any one statement's size.
    static let rowsMax = 50_000

    var users: [(profile: UserProfile, isAdmin: Bool)] = []
    var friendships: [PostgresFriendStore.Friendship] = []
    var posts: [(id: Int64, post: PostgresPostWrites.NewPost)] = []
    var moderationQueue: [PostgresPostWrites.QueueEntry] = []
    var likes: [PostgresPostWrites.Interaction] = []
    var comments: [PostgresPostWrites.Interaction] = []
    var reports: [PostgresPostWrites.Interaction] = []
    var countsAdded: [Int64: PostgresPostWrites.CountsAdded] = [:]
    var hidings: [PostgresPostWrites.Hiding] = []
    var affinityBumps: [PostgresAffinityStore.Bump] = []
    var events: [Event] = []
    var viewedPages: [ViewedPage] = []

    var count: Int {
        users.count + friendships.count + posts.count + moderationQueue.count + likes.count + comments.count + reports.count
            + countsAdded.count + hidings.count + affinityBumps.count + events.count + viewedPages.count
    }

    /// Sends every held row and empties the buffers.
    mutating func flush(_ session: PostgresSession) throws {
        if !users.isEmpty { try session.execute(PostgresUserStore.insert(users)) }
        if !friendships.isEmpty { try session.execute(PostgresFriendStore.befriend(friendships)) }
        if let lastID = posts.last?.id {
            try session.execute(PostgresPostWrites.insert(posts.map(\.post), ids: posts.map(\.id)))
            try session.execute(PostgresBulkPosts.sequenceCatchUp(to: lastID))
        }
        if !moderationQueue.isEmpty { try session.execute(PostgresPostWrites.queueForModeration(moderationQueue)) }
        if !likes.isEmpty { try session.execute(PostgresPostWrites.insertLikes(likes)) }
        if !comments.isEmpty { try session.execute(PostgresPostWrites.insertComments(comments)) }
        if !reports.isEmpty { try session.execute(PostgresPostWrites.insertReports(reports)) }
        if !countsAdded.isEmpty { try session.execute(PostgresPostWrites.addCounts(countsAdded)) }
        if !hidings.isEmpty { try session.execute(PostgresPostWrites.hide(hidings)) }
        try PostgresAffinityStore.bump(affinityBumps, session)
        try PostgresEventLog.append(events, in: session)
        try PostgresPageViewLog.append(viewedPages, in: session)
        self = PostgresBulkRows()
    }
}
