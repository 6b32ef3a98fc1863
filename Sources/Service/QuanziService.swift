import BlockingWork
import Core
@_spi(LedgerStore) import StorageModel
import Foundation
import Ledger
import LuaHost
import Social
import StorageModel
import Synchronization

/// The application: every user action goes through here, so the HTTP API, the CLI, the REPL and
/// simulations all run the same checks. An action is gated by its circle's Lua rule (a denial
/// writes nothing and carries the rule's reason), then screened by moderation, then stored with
/// its event.
public final class QuanziService: Sendable {
    /// Where everything is stored (SQLite or PostgreSQL; the service does not care).
    public let storage: any StorageBackend
    /// The loaded plugins and experiments: the request's pinned set inside
    /// ``withPinnedScripts(_:)``, else the set in force (see ``reloadScripts(from:)``).
    public var scripts: ScriptGeneration { holder.generation }
    /// The circle plugins of ``scripts``.
    public var plugins: PluginSet { scripts.plugins }
    /// The rules of ``scripts``.
    public var rules: RuleEngine { scripts.rules }
    public let clock: any Clock
    /// This node's name in shared storage (PostgreSQL), nil when it is the only node (SQLite).
    public var nodeID: String? { storage.eventFollowing?.nodeID }
    public let users: any UserRepository
    public let friends: any FriendRepository
    public let posts: any PostRepository
    public let affinities: any AffinityRepository
    public let credit: any CreditRepository
    /// The one door to money: every caller moves money through it (tips through ``tip(_:by:amountFen:idempotencyKey:)``).
    public let wallet: WalletService
    public let experiments: ExperimentService
    /// The circles' feeds, kept in memory.
    public let feeds: FeedService
    /// Feed views, group-committed across concurrent requests (the server writes them behind).
    public let views: any ViewRecording
    /// What `quanzi.*` bindings read: the same for rules, the REPL and `eval --db`.
    public let scriptDataSource: any ScriptDataSource
    /// The same reads without logging exposures: for the REPL, where looking is not using.
    public let previewDataSource: any ScriptDataSource
    let holder: ScriptHolder
    /// What a reload needs to build the next generation as the first was built.
    let scriptLimits: ScriptLimits
    let globalKeywords: [String]
    let dataSource: ServiceDataSource
    /// One reload at a time; observers of accepted reloads.
    let reloading = Mutex<Void>(())
    let reloadObservers = Mutex<[@Sendable (ScriptReload) -> Void]>([])
    /// Following other nodes' writes, once started (PostgreSQL only).
    private let follower = Mutex<FeedFollower?>(nil)
    /// Recording the script versions this node serves, once started (PostgreSQL only).
    let versionRecorder = Mutex<ScriptVersionRecorder?>(nil)

    /// A service on an open database (SQLite's `QuanziDatabase`).
    public convenience init(database: any StorageBackendMaking, plugins: PluginSet, experiments experimentSet: ExperimentSet = .empty,
                            clock: any Clock = SystemClock(), limits: ScriptLimits = .default, globalKeywords: [String] = GlobalKeywords.default,
                            viewDurability: ViewDurability = .beforeReturn) throws {
        try self.init(storage: database.makeBackend(), plugins: plugins, experiments: experimentSet, clock: clock, limits: limits,
                      globalKeywords: globalKeywords, viewDurability: viewDurability)
    }

    public init(storage: any StorageBackend, plugins: PluginSet, experiments experimentSet: ExperimentSet = .empty, clock: any Clock = SystemClock(),
                limits: ScriptLimits = .default, globalKeywords: [String] = GlobalKeywords.default,
                viewDurability: ViewDurability = .beforeReturn) throws {
        self.storage = storage
        self.clock = clock
        users = storage.users
        friends = storage.friends
        posts = storage.posts
        affinities = storage.affinities
        credit = storage.credit
        views = storage.makeViewRecorder(durability: viewDurability)
        var dataSource = ServiceDataSource(users: users, friends: friends, affinities: affinities, credit: credit,
                                           walletReads: storage.walletReads, socialReads: storage.feeds, clock: clock)
        let holder = ScriptHolder()
        self.holder = holder
        experiments = try ExperimentService(holder: holder, store: storage.experiments, users: users, metrics: storage.metrics, clock: clock,
                                            watchMetrics: storage.makeIncrementalMetricReader(), node: storage.eventFollowing?.nodeID,
                                            nodeVersions: storage.nodeScriptVersions)
        dataSource.experiments = experiments
        self.dataSource = dataSource
        scriptDataSource = dataSource
        var preview = dataSource
        preview.recordsExposures = false
        previewDataSource = preview
        scriptLimits = limits
        self.globalKeywords = globalKeywords
        holder.install(ScriptGeneration(
            number: 1, plugins: plugins, experiments: experimentSet, dataSource: dataSource, clock: clock, limits: limits,
            globalKeywords: globalKeywords, owner: holder.owner, previous: nil))
        let friends = self.friends
        let users = self.users
        feeds = try FeedService(queries: storage.feeds, circles: plugins.circles, clock: clock, following: storage.eventFollowing)
        // Red packets to friends or a circle: the social graph and the circle's view rule decide.
        // The wallet asks from async code: the synchronous stores and rules run off the pool.
        let audience = AudienceClosure { claimer, audience, sender in
            (try? await Blocking.anyThread { () -> Bool in
                switch audience {
                case .friends: return (try? friends.areFriends(sender, claimer)) ?? false
                case .circle(let circle):
                    guard let profile = try? users.user(claimer) else { return false }
                    return (try? holder.generation.rules.evaluate(circle: circle, action: .view, user: profile))?.allowed ?? false
                case .users(let listed): return listed.contains(claimer)
                }
            }) ?? false
        }
        wallet = WalletService(
            store: try storage.makeLedgerStore(), clock: clock, limits: storage.ledgerLimits, commitMode: storage.transferCommitMode,
            audience: audience,
            socialEffects: storage.moneyAffinityWrites == .behind
                ? .affinityBehindAndFeeds(feeds, AffinityWriteBehind(affinities: affinities)) : .affinityAndFeeds(feeds))
        try posts.syncCircles(plugins.circles)
    }

    var now: Int64 { clock.nowEpochSeconds }

    // MARK: Several nodes

    /// Starts following the writes other nodes make to the same database (see ``FeedFollower``):
    /// their posts, likes, comments, tips, reports, deletions and credit recomputes reach this
    /// node's feed windows, their experiment stops and forced variants its experiments. Returns
    /// the follower (the running one if already started), or nil when the backend has a single
    /// writer (SQLite) and there is nothing to follow. `onLag` receives each applied event's lag
    /// in seconds. Stop it with ``stopFollowing()`` before closing the storage.
    @discardableResult
    public func startFollowing(_ configuration: FeedFollower.Configuration = .default, onLag: (@Sendable (Double) -> Void)? = nil)
        -> FeedFollower?
    {
        guard let following = storage.eventFollowing, let start = feeds.followStart else { return nil }
        return follower.withLock { running in
            if let running { return running }
            let created = FeedFollower(
                following: following, start: start, feeds: feeds, experiments: experiments, posts: posts, users: users, credit: credit,
                socialReads: storage.feeds, viewRecording: views, configuration: configuration, onLag: onLag)
            created.start()
            running = created
            return created
        }
    }

    /// The running follower, if any.
    public var following: FeedFollower? { follower.withLock { $0 } }

    /// Stops the follower (waiting for its current poll); a no-op when none runs.
    public func stopFollowing() {
        follower.withLock { $0 }?.stop()
    }

    /// Many writes in one transaction, for seeding: on either backend (`StorageBackend.bulkWrite`,
    /// run once). Synchronous: call it from a thread that may block.
    public func bulkWrite<T>(_ body: (any BulkWriting) throws -> T) throws -> T {
        try storage.bulkWrite(body)
    }

    /// A user as scripts see it.
    public func scriptRecord(of user: UserProfile) -> ScriptValue { .user(user, nowEpochSeconds: now) }

    /// The user's wallet balance in fen (nil without an account).
    public func balanceFen(of user: UserID) throws -> Int64? { try storage.walletReads.balanceFen(of: user) }

    /// The moderation of a loaded circle.
    public func moderator(for circle: CircleID) -> Moderator? { scripts.moderators[circle] }

    // MARK: Rules

    /// May `user` do `action` in `circle` (optionally on a post)? With the rule's reason.
    /// A block between the user and the post's author denies before the rule runs, with the
    /// block as the reason (what the REPL's `:why` shows).
    public func decide(_ user: UserID, _ action: CircleAction, in circle: CircleID, post: Post? = nil, amountFen: Int64? = nil) throws(QuanziError) -> Decision {
        if let post, let refusal = try blockRefusal(actor: user, other: post.authorID) {
            return Decision(allowed: false, reason: refusal.message, location: nil)
        }
        return try ruleDecision(user, action, in: circle, post: post, amountFen: amountFen)
    }

    /// The circle's rule alone. Callers check blocks first (`viewablePost` does, for every action
    /// on a post), so it is not asked twice.
    func ruleDecision(_ user: UserID, _ action: CircleAction, in circle: CircleID, post: Post?, amountFen: Int64?) throws(QuanziError) -> Decision {
        let profile = try QuanziError.wrapping { try users.require(user) }
        let context = RuleContext(post: post.map { PostContext(id: $0.id, authorID: $0.authorID, kind: $0.kind, text: $0.body) }, amountFen: amountFen)
        return try rules.evaluate(circle: circle, action: action, user: profile, context: context)
    }

    /// Throws `rule_denied` with the rule's reason unless the rule allows the action.
    /// Every caller with a post got it from `viewablePost`, which checked blocks already.
    func requireAllowed(_ user: UserID, _ action: CircleAction, in circle: CircleID, post: Post? = nil, amountFen: Int64? = nil) throws(QuanziError) {
        let decision = try ruleDecision(user, action, in: circle, post: post, amountFen: amountFen)
        guard decision.allowed else {
            let reason = decision.reason ?? "not allowed"
            try? storage.events.append(Event(kind: .ruleDenied, at: now, userID: user, circleID: circle, postID: post?.id, context: action.rawValue))
            throw QuanziError(.ruleDenied, reason)
        }
    }

    // MARK: Posts

    public func createPost(by author: UserID, in circle: CircleID, kind: PostKind = .text, body: String) throws(QuanziError) -> Post {
        try UserText.check(body, maxBytes: ContentLimits.postBodyBytesMax, what: "post")
        let scripts = self.scripts
        guard let moderator = scripts.moderators[circle] else { throw QuanziError(.circleNotFound, "no circle '\(circle)'") }
        let profile = try QuanziError.wrapping { try users.require(author) }
        let draft = PostContext(authorID: author, kind: kind, text: body)
        let decision = try scripts.rules.evaluate(circle: circle, action: .post, user: profile, context: RuleContext(post: draft))
        guard decision.allowed else { throw QuanziError(.ruleDenied, decision.reason ?? "not allowed") }
        let verdict = moderator.screen(body, ruleReview: decision.heldForReview ? decision.reason : nil)
        let post = try posts.create(circle: circle, author: author, kind: kind, body: body, verdict: verdict, at: now)
        feeds.record(post, authorCredit: try? credit.score(author), authorCity: profile.city)
        return post
    }

    /// A post `viewer` may see (its circle's view rule allows it).
    public func viewablePost(_ postID: Int64, by viewer: UserID) throws(QuanziError) -> Post {
        try requireViewable(posts.requireVisible(postID), by: viewer)
    }

    /// `viewablePost` for a like, a comment, a report or a "show less", whose store checks the
    /// post is visible again inside its write: the post comes from the feed's memory when its
    /// window holds it visible (reading it back was a twentieth of a simulated day), else from
    /// the database. The rules see only what never changes (author, circle, kind, text); a
    /// window that lags another node's hide only moves the refusal into the store.
    func postToActOn(_ postID: Int64, by viewer: UserID) throws(QuanziError) -> Post {
        let post = if let held = feeds.visiblePostInMemory(postID) { held } else { try posts.requireVisible(postID) }
        return try requireViewable(post, by: viewer)
    }

    private func requireViewable(_ post: Post, by viewer: UserID) throws(QuanziError) -> Post {
        // Before the rule: a block is the core's, whatever the circle says.
        try requireNotBlocked(viewer, post.authorID)
        try requireAllowed(viewer, .view, in: post.circleID, post: post)
        return post
    }

    public func comment(on postID: Int64, by user: UserID, body: String) throws(QuanziError) -> Comment {
        try UserText.check(body, maxBytes: ContentLimits.commentBodyBytesMax, what: "comment")
        let post = try postToActOn(postID, by: user)
        try requireAllowed(user, .comment, in: post.circleID, post: post)
        // The circle's keywords hold a comment as they hold a post.
        let verdict = scripts.moderators[post.circleID]?.screen(body) ?? .visible
        let comment = try posts.comment(on: postID, by: user, body: body, verdict: verdict, at: now)
        if !comment.heldForReview { feeds.updateOwn(post.circleID, .commented(postID: postID)) }
        return comment
    }

    public func like(_ postID: Int64, by user: UserID) throws(QuanziError) {
        let post = try postToActOn(postID, by: user)
        try requireAllowed(user, .like, in: post.circleID, post: post)
        try posts.like(postID, by: user, at: now)
        feeds.updateOwn(post.circleID, .liked(postID: postID))
    }

    /// "Show less like this": the post's author ranks lower in the user's feeds (the circle's
    /// `show_less_penalty`). The post must be one the user may view; a block refuses it.
    /// Returns false when the user had marked the post already.
    @discardableResult
    public func showLess(_ postID: Int64, by user: UserID) throws(QuanziError) -> Bool {
        let post = try postToActOn(postID, by: user)
        guard post.authorID != user else { throw QuanziError(.sameUser, "one's own post cannot be shown less") }
        return try posts.showLess(postID, by: user, at: now)
    }

    /// Reports a post; returns whether the report pushed it over its circle's threshold.
    @discardableResult
    public func report(_ postID: Int64, by user: UserID, reason: String) throws(QuanziError) -> Bool {
        try UserText.check(reason, maxBytes: ContentLimits.reportReasonBytesMax, what: "report reason")
        let post = try postToActOn(postID, by: user)
        try requireAllowed(user, .report, in: post.circleID, post: post)
        let threshold = scripts.moderators[post.circleID]?.reportThreshold ?? ModerationPolicy.defaultReportThreshold
        let hidden = try posts.report(postID, by: user, reason: reason, hideAtReports: threshold, at: now)
        feeds.updateOwn(post.circleID, .reported(postID: postID))
        if hidden { feeds.updateOwn(post.circleID, .hidden(postID: postID)) }
        return hidden
    }

    public func deletePost(_ postID: Int64, by user: UserID) throws(QuanziError) {
        let circle = try QuanziError.wrapping { try posts.post(postID)?.circleID }
        try posts.delete(postID, by: user, at: now)
        if let circle { feeds.updateOwn(circle, .deleted(postID: postID)) }
    }
}
