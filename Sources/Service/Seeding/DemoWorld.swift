import BlockingWork
import Core
import LuaHost
import Social
import StorageModel

/// Builds the demo world `make run` serves: people, friendships, posts in every circle and the
/// activity around them. Deterministic for a given seed and "now". Every post, like and view
/// passes the same Lua rules as live traffic (rules are checked in memory; rows are written in
/// large transactions so 10,000 users seed in seconds). The same on SQLite and PostgreSQL
/// (`StorageBackend.bulkWrite`).
public enum DemoWorld {
    public struct Options: Sendable {
        public var users: Int
        public var seed: UInt64
        public init(users: Int = 10_000, seed: UInt64 = 2016) {
            self.users = users
            self.seed = seed
        }
    }

    public struct Summary: Sendable, Equatable, CustomStringConvertible {
        public var users = 0
        public var friendships = 0
        public var posts = 0
        public var postsHeldByModeration = 0
        public var views = 0
        public var likes = 0
        public var comments = 0
        public var reports = 0
        public var ruleDenials = 0
        public var creditScored = 0
        public var topUps = 0
        public var transfers = 0
        public var tips = 0
        public var redPackets = 0
        public var redPacketClaims = 0

        public var description: String {
            "\(users) users, \(friendships) friendships, \(posts) posts (\(postsHeldByModeration) held by moderation), "
                + "\(views) views, \(likes) likes, \(comments) comments, \(reports) reports; \(ruleDenials) attempts denied by rules; "
                + "\(topUps) top-ups, \(transfers) transfers, \(tips) tips, \(redPackets) red packets (\(redPacketClaims) claims); \(creditScored) credit scores"
        }
    }

    /// Average friendships started per user; about twice that end up per user (both sides).
    static let friendAttemptsPerUser = 4
    static let sameCityFriendShare = 0.6
    /// Chance that a user allowed to post in a circle does so, per circle.
    static let postingShare = 0.25
    static let postsPerPosterMax = 4
    static let postAgeSecondsMax: Int64 = 7 * 86_400
    static let viewersPerPost = 6
    static let likeShare = 0.25
    /// Authors whose posts draw reports: the seed's circles attracted them within days.
    static let badActorShare = 0.03
    static let reportShareForBadActors = 0.35
    static let reportShareOtherwise = 0.01
    static let keywordPostShare = 0.01

    public static func seed(_ service: QuanziService, options: Options = Options()) async throws -> Summary {
        let now = service.clock.nowEpochSeconds
        var random = SeededGenerator(seed: options.seed)
        var summary = Summary()

        let users = (1...options.users).map { DemoPopulation.user($0, now: now, random: &random) }
        // The stores are synchronous (they block; on PostgreSQL, on the network): every part
        // that uses them runs on a thread that may block, the wallet's parts stay async.
        let (graph, views) = try await Blocking.awaited {
            try service.bulkWrite { writer in
                for user in users { try writer.insertUser(user, isAdmin: user.id == UserID(1)) }
            }
            summary.users = users.count

            let graph = try seedFriendships(service, users: users, now: now, random: &random)
            summary.friendships = graph.friendships
            let badActors = Set(users.filter { _ in random.chance(badActorShare) }.map(\.id))
            var views: [(post: Post, viewer: UserProfile, at: Int64)] = []
            for circle in service.plugins.circles {
                views += try seedCircle(service, circle: circle, graph: graph, badActors: badActors, now: now, random: &random, summary: &summary)
            }
            return (graph, views)
        }
        let money = try await DemoMoney.seed(service, users: users, friendPairs: graph.pairs, views: views, random: &random)
        await service.wallet.flushAffinity()
        summary.topUps = money.topUps
        summary.transfers = money.transfers
        summary.tips = money.tips
        summary.redPackets = money.redPackets
        summary.redPacketClaims = money.claims
        try await Blocking.awaited {
            summary.creditScored = try service.recomputeCredit()
            try seedComments(service, views: views, random: &random, summary: &summary)
        }
        return summary
    }

    /// Who knows whom: viewers of a post are mostly its author's friends and neighbours.
    struct Graph {
        var users: [UserProfile]
        var byID: [UserID: UserProfile]
        var byCity: [String: [UserProfile]]
        var friends: [UserID: [UserID]]
        var friendships: Int
        var pairs: [(UserID, UserID)]

        static let friendViewerShare = 0.5
        static let neighbourViewerShare = 0.3

        func viewer(of author: UserProfile, random: inout SeededGenerator) -> UserProfile {
            let roll = random.unit()
            if roll < Self.friendViewerShare, let friendIDs = friends[author.id], !friendIDs.isEmpty, let friend = byID[random.pick(friendIDs)] {
                return friend
            }
            if roll < Self.friendViewerShare + Self.neighbourViewerShare, let neighbours = byCity[author.city ?? ""], !neighbours.isEmpty {
                return random.pick(neighbours)
            }
            return random.pick(users)
        }
    }

    private static func seedFriendships(_ service: QuanziService, users: [UserProfile], now: Int64, random: inout SeededGenerator) throws -> Graph {
        var byCity: [String: [UserProfile]] = [:]
        for user in users { byCity[user.city ?? "", default: []].append(user) }
        var pairs = Set<[Int64]>()
        for user in users {
            for _ in 0..<friendAttemptsPerUser {
                let pool = random.chance(sameCityFriendShare) ? byCity[user.city ?? ""] ?? users : users
                let other = random.pick(pool)
                guard other.id != user.id else { continue }
                pairs.insert([min(user.id.rawValue, other.id.rawValue), max(user.id.rawValue, other.id.rawValue)])
            }
        }
        let ordered = pairs.sorted { $0[0] != $1[0] ? $0[0] < $1[0] : $0[1] < $1[1] }
        var friends: [UserID: [UserID]] = [:]
        try service.bulkWrite { writer in
            for pair in ordered {
                let since = now - Int64(random.int(in: 1...365)) * 86_400
                try writer.befriend(UserID(pair[0]), UserID(pair[1]), at: since)
                friends[UserID(pair[0]), default: []].append(UserID(pair[1]))
                friends[UserID(pair[1]), default: []].append(UserID(pair[0]))
            }
        }
        let byID = Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0) })
        return Graph(users: users, byID: byID, byCity: byCity, friends: friends, friendships: ordered.count,
                     pairs: ordered.map { (UserID($0[0]), UserID($0[1])) })
    }

    private static func seedCircle(
        _ service: QuanziService, circle: CircleDefinition, graph: Graph, badActors: Set<UserID>, now: Int64,
        random: inout SeededGenerator, summary: inout Summary
    ) throws -> [(post: Post, viewer: UserProfile, at: Int64)] {
        let moderator = service.moderator(for: circle.id)
        var views: [(post: Post, viewer: UserProfile, at: Int64)] = []
        var posts: [Post] = []
        try service.bulkWrite { writer in
            for user in graph.users where random.chance(postingShare) {
                let kind = random.pick(PostKind.allCases)
                var body = random.pick(DemoPopulation.postBodies[kind] ?? ["…"])
                if random.chance(keywordPostShare) { body += " 加微信" }
                let draft = PostContext(authorID: user.id, kind: kind, text: body)
                let decision = try service.rules.evaluate(circle: circle.id, action: .post, user: user, context: RuleContext(post: draft))
                guard decision.allowed else {
                    summary.ruleDenials += 1
                    continue
                }
                for _ in 0..<random.int(in: 1...postsPerPosterMax) {
                    let at = now - Int64(random.next(below: UInt64(postAgeSecondsMax)))
                    let verdict = moderator?.screen(body, ruleReview: decision.heldForReview ? decision.reason : nil) ?? .visible
                    let post = try writer.createPost(circle: circle.id, author: user.id, kind: kind, body: body, verdict: verdict, at: at)
                    if post.status == .visible { posts.append(post) } else { summary.postsHeldByModeration += 1 }
                    summary.posts += 1
                }
            }
        }
        let threshold = moderator?.reportThreshold ?? ModerationPolicy.defaultReportThreshold
        try service.bulkWrite { writer in
            for post in posts {
                var hidden = false
                for _ in 0..<viewersPerPost where !hidden {
                    guard let author = graph.byID[post.authorID] else { continue }
                    let viewer = graph.viewer(of: author, random: &random)
                    guard viewer.id != post.authorID else { continue }
                    let context = RuleContext(post: PostContext(id: post.id, authorID: post.authorID, kind: post.kind, text: post.body))
                    guard try service.rules.evaluate(circle: circle.id, action: .view, user: viewer, context: context).allowed else {
                        summary.ruleDenials += 1
                        continue
                    }
                    let at = min(now, post.createdAtEpochSeconds + Int64(random.int(in: 60...86_400)))
                    try writer.recordView(post.id, circle: circle.id, by: viewer.id, author: post.authorID, at: at)
                    views.append((post, viewer, at))
                    summary.views += 1
                    if random.chance(likeShare),
                        try service.rules.evaluate(circle: circle.id, action: .like, user: viewer, context: context).allowed,
                        try writer.like(post.id, by: viewer.id, at: at)
                    {
                        summary.likes += 1
                    }
                    let reportShare = badActors.contains(post.authorID) ? reportShareForBadActors : reportShareOtherwise
                    if random.chance(reportShare), try service.rules.evaluate(circle: circle.id, action: .report, user: viewer, context: context).allowed {
                        do {
                            hidden = try writer.report(post.id, by: viewer.id, reason: "inappropriate", hideAtReports: threshold, at: at)
                            summary.reports += 1
                        } catch let error as QuanziError where error.code == .alreadyReported {
                            continue
                        }
                    }
                }
            }
        }
        return views
    }

    /// Chance that a viewer tries to comment on what they saw.
    static let commentAttemptShare = 0.12
    static let commentBodies = ["哈哈哈", "好看！", "同感", "加油", "在哪里？", "求链接", "太真实了", "学到了"]

    /// Viewers try to comment; the circle's comment rule (credit, experiments) decides. Rules run
    /// outside the write transaction because reading a variant logs an exposure.
    private static func seedComments(_ service: QuanziService, views: [(post: Post, viewer: UserProfile, at: Int64)],
                                     random: inout SeededGenerator, summary: inout Summary) throws {
        var allowed: [(post: Post, viewer: UserProfile, at: Int64)] = []
        for view in views where random.chance(commentAttemptShare) {
            let context = RuleContext(post: PostContext(id: view.post.id, authorID: view.post.authorID, kind: view.post.kind, text: view.post.body))
            if try service.rules.evaluate(circle: view.post.circleID, action: .comment, user: view.viewer, context: context).allowed {
                allowed.append(view)
            } else {
                summary.ruleDenials += 1
            }
        }
        try service.bulkWrite { writer in
            for comment in allowed {
                do {
                    try writer.comment(on: comment.post.id, by: comment.viewer.id, body: random.pick(commentBodies), at: comment.at + 60)
                    summary.comments += 1
                } catch let error as QuanziError where error.code == .postNotVisible {
                    continue  // hidden by reports since it was viewed
                }
            }
        }
    }
}
