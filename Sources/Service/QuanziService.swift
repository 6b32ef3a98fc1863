import Core
import Foundation
import LuaHost
import Social
import Storage

/// The application: every user action goes through here, so the HTTP API, the CLI, the REPL and
/// simulations all run the same checks. An action is gated by its circle's Lua rule (a denial
/// writes nothing and carries the rule's reason), then screened by moderation, then stored with
/// its event.
public final class QuanziService: Sendable {
    public let database: QuanziDatabase
    public let plugins: PluginSet
    public let rules: RuleEngine
    public let clock: any Clock
    public let users: UserStore
    public let friends: FriendStore
    public let posts: PostStore
    public let affinities: AffinityStore
    public let credit: CreditStore
    public let experiments: ExperimentService
    private let moderators: [CircleID: Moderator]

    public init(database: QuanziDatabase, plugins: PluginSet, experiments experimentSet: ExperimentSet = .empty, clock: any Clock = SystemClock(),
                limits: ScriptLimits = .default, globalKeywords: [String] = GlobalKeywords.default) throws {
        self.database = database
        self.plugins = plugins
        self.clock = clock
        users = UserStore(database: database)
        friends = FriendStore(database: database)
        posts = PostStore(database: database)
        affinities = AffinityStore(database: database)
        credit = CreditStore(database: database)
        var dataSource = ServiceDataSource(users: users, friends: friends, affinities: affinities, credit: credit, clock: clock)
        let engine = ExperimentEngine(experiments: experimentSet, dataSource: dataSource, clock: clock, limits: limits)
        experiments = try ExperimentService(engine: engine, store: ExperimentStore(database: database), clock: clock)
        dataSource.experiments = experiments
        rules = RuleEngine(plugins: plugins, dataSource: dataSource, clock: clock, limits: limits)
        var moderators: [CircleID: Moderator] = [:]
        for circle in plugins.circles { moderators[circle.id] = Moderator(policy: circle.moderation, globalKeywords: globalKeywords) }
        self.moderators = moderators
        try posts.syncCircles(plugins.circles)
    }

    var now: Int64 { clock.nowEpochSeconds }

    /// The moderation of a loaded circle.
    public func moderator(for circle: CircleID) -> Moderator? { moderators[circle] }

    // MARK: Rules

    /// May `user` do `action` in `circle` (optionally on a post)? With the rule's reason.
    public func decide(_ user: UserID, _ action: CircleAction, in circle: CircleID, post: Post? = nil, amountFen: Int64? = nil) throws(QuanziError) -> Decision {
        let profile = try QuanziError.wrapping { try users.require(user) }
        let context = RuleContext(post: post.map { PostContext(id: $0.id, authorID: $0.authorID, kind: $0.kind, text: $0.body) }, amountFen: amountFen)
        return try rules.evaluate(circle: circle, action: action, user: profile, context: context)
    }

    /// Throws `rule_denied` with the rule's reason unless the rule allows the action.
    func requireAllowed(_ user: UserID, _ action: CircleAction, in circle: CircleID, post: Post? = nil, amountFen: Int64? = nil) throws(QuanziError) {
        let decision = try decide(user, action, in: circle, post: post, amountFen: amountFen)
        guard decision.allowed else {
            let reason = decision.reason ?? "not allowed"
            try? database.pool.write { db in
                try EventLog.append(Event(kind: .ruleDenied, at: now, userID: user, circleID: circle, postID: post?.id, context: action.rawValue), in: db)
            }
            throw QuanziError(.ruleDenied, reason)
        }
    }

    // MARK: Posts

    public func createPost(by author: UserID, in circle: CircleID, kind: PostKind = .text, body: String) throws(QuanziError) -> Post {
        try Self.checkContent(body, maxBytes: ContentLimits.postBodyBytesMax, what: "post")
        guard let moderator = moderators[circle] else { throw QuanziError(.circleNotFound, "no circle '\(circle)'") }
        let profile = try QuanziError.wrapping { try users.require(author) }
        let draft = PostContext(authorID: author, kind: kind, text: body)
        let decision = try rules.evaluate(circle: circle, action: .post, user: profile, context: RuleContext(post: draft))
        guard decision.allowed else { throw QuanziError(.ruleDenied, decision.reason ?? "not allowed") }
        return try posts.create(circle: circle, author: author, kind: kind, body: body, verdict: moderator.screen(body), at: now)
    }

    /// A post `viewer` may see (its circle's view rule allows it).
    public func viewablePost(_ postID: Int64, by viewer: UserID) throws(QuanziError) -> Post {
        let post = try posts.requireVisible(postID)
        try requireAllowed(viewer, .view, in: post.circleID, post: post)
        return post
    }

    public func comment(on postID: Int64, by user: UserID, body: String) throws(QuanziError) -> Comment {
        try Self.checkContent(body, maxBytes: ContentLimits.commentBodyBytesMax, what: "comment")
        let post = try viewablePost(postID, by: user)
        try requireAllowed(user, .comment, in: post.circleID, post: post)
        return try posts.comment(on: postID, by: user, body: body, at: now)
    }

    public func like(_ postID: Int64, by user: UserID) throws(QuanziError) {
        let post = try viewablePost(postID, by: user)
        try requireAllowed(user, .like, in: post.circleID, post: post)
        try posts.like(postID, by: user, at: now)
    }

    /// Reports a post; returns whether the report pushed it over its circle's threshold.
    @discardableResult
    public func report(_ postID: Int64, by user: UserID, reason: String) throws(QuanziError) -> Bool {
        try Self.checkContent(reason, maxBytes: ContentLimits.reportReasonBytesMax, what: "report reason")
        let post = try viewablePost(postID, by: user)
        try requireAllowed(user, .report, in: post.circleID, post: post)
        let threshold = moderators[post.circleID]?.reportThreshold ?? ModerationPolicy.defaultReportThreshold
        return try posts.report(postID, by: user, reason: reason, hideAtReports: threshold, at: now)
    }

    public func deletePost(_ postID: Int64, by user: UserID) throws(QuanziError) {
        try posts.delete(postID, by: user, at: now)
    }

    static func checkContent(_ text: String, maxBytes: Int, what: String) throws(QuanziError) {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw QuanziError(.emptyContent, "the \(what) is empty") }
        guard text.utf8.count <= maxBytes else {
            throw QuanziError(.contentTooLong, "the \(what) is \(text.utf8.count) bytes; at most \(maxBytes)")
        }
    }
}
