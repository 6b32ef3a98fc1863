import Core
import Experiments
import Feed
import LuaHost
import Social
import StorageModel

extension QuanziService {
    /// One page of `circle`'s feed as `viewer` sees it: ranked in Swift over the circle's window,
    /// filtered by the circle's `view` rule, with weights from the plugin and the viewer's
    /// ranking experiments. Records the shown posts as viewed unless `recordViews` is false.
    public func feed(for viewer: UserID, in circle: CircleID, limit: Int = 20, cursor: String? = nil, explain: Bool = false,
                     recordViews: Bool = true) throws(QuanziError) -> FeedResult {
        // One set of scripts for the whole page, even outside a request's pin.
        let scripts = self.scripts
        guard let definition = scripts.plugins.circle(circle) else { throw QuanziError(.circleNotFound, "no circle '\(circle)'") }
        let profile = try QuanziError.wrapping { try users.require(viewer) }
        let parameters = try rankingParameters(definition.ranking, for: profile, in: circle)
        // Checked before its time is used for anything (the seen set below is read as of it).
        let decoded = try cursor.map { text throws(QuanziError) in try FeedCursor(encoded: text, clockEpochSeconds: now) }
        let sessionStart = decoded?.nowEpochSeconds ?? now
        let signals = try QuanziError.wrapping { try feeds.viewerSignals(viewer, circle: circle, seenBefore: sessionStart, views: views) }
        let rules = scripts.rules
        let reads = RequestDataSource(base: scriptDataSource, viewerID: viewer, viewerFriendIDs: signals.friendIDs)
        let (onlyAuthors, onlyAuthorGroup) = audienceFilter(definition.audience, viewer: profile, friendIDs: signals.friendIDs)
        // One Lua state for the page's view checks (see `RuleEngine.withSession`), asked about the
        // next posts the ranker would show in one entry into Lua per chunk. The content of each
        // post shown is kept for building the page.
        var checkedContents: [Int64: Post] = [:]
        let (page, explanations, rows) = try rules.withSession { session throws(QuanziError) in
            try feeds.page(
                circle: circle, viewer: signals, parameters: parameters, pageSize: limit, cursor: decoded, explain: explain, onlyAuthors: onlyAuthors,
                onlyAuthorGroup: onlyAuthorGroup, chunkMax: Self.viewChecksPerChunkMax
            ) { candidates, visible -> QuanziError? in
                // The rule sees each post as the single-post routes show it (kind and text too);
                // a post whose content is gone is not shown, and asks no rule.
                var contents: [Post?] = []
                var contexts: [RuleContext] = []
                var lookupFailure: QuanziError?
                for candidate in candidates {
                    do throws(QuanziError) {
                        let content = try QuanziError.wrapping {
                            try feeds.contents.content(of: candidate.postID) { id in try posts.posts([id])[id] }
                        }
                        contents.append(content)
                        if let content {
                            contexts.append(RuleContext(post: PostContext(id: candidate.postID, authorID: candidate.authorID, kind: content.kind, text: content.body)))
                        }
                    } catch {
                        // Answered up to here; the request ends at this post, after the rule ran
                        // for the ones before it, as one call per post would.
                        lookupFailure = error
                        break
                    }
                }
                let decisions = session.evaluate(circle: circle, action: .view, user: profile, contexts: contexts, dataSource: reads)
                var decided = 0
                for (candidate, content) in zip(candidates, contents) {
                    guard let content else {
                        visible.append(false)
                        continue
                    }
                    guard decided < decisions.decisions.count else { return decisions.failure }
                    let allowed = decisions.decisions[decided].allowed
                    decided += 1
                    if allowed { checkedContents[candidate.postID] = content }
                    visible.append(allowed)
                }
                return lookupFailure
            }
        }
        let stored = try QuanziError.wrapping {
            try feeds.contents.posts(rows, known: checkedContents) { missing in try posts.posts(missing) }
        }
        let explanationByID = Dictionary(explanations.map { ($0.postID, $0) }, uniquingKeysWith: { first, _ in first })
        let items = page.posts.compactMap { ranked -> FeedResult.Item? in
            guard let post = stored[ranked.postID] else { return nil }
            return FeedResult.Item(post: post, score: ranked.score, explanation: explanationByID[ranked.postID])
        }
        if recordViews {
            try views.record(items.map { RecordedView(postID: $0.post.id, circleID: circle, viewerID: viewer, authorID: $0.post.authorID) }, at: now)
        }
        return FeedResult(items: items, nextCursor: page.nextCursor?.encoded, stats: page.stats, parameters: parameters)
    }

    /// What this node holds in memory so that a warm feed page reads nothing (`/metrics`).
    public var feedMemory: FeedMemory { storage.feeds.memory }

    /// View checks asked of Lua in one entry: a page's worth (the ranker never asks about more
    /// posts than the page still needs).
    static let viewChecksPerChunkMax = 64

    /// Whose posts the audience lets the viewer see, both nil when it admits everyone: the ranker
    /// skips everyone else's posts while scanning, before any scoring or Lua. Friends are listed;
    /// a city is the viewer's author group (`AuthorGroups`), which each post's row carries, and a
    /// viewer without a city sees nobody's.
    func audienceFilter(_ audience: CircleAudience, viewer: UserProfile, friendIDs: Set<UserID>) -> (authors: Set<UserID>?, group: UInt32?) {
        switch audience {
        case .everyone:
            return (nil, nil)
        case .friends:
            return (friendIDs.union([viewer.id]), nil)
        case .sameCity:
            guard let city = viewer.city, !city.isEmpty else { return ([], nil) }
            return (nil, AuthorGroups.code(for: city))
        }
    }

    /// The circle's weights, overridden by the parameters of the viewer's variants in the
    /// circle's ranking experiments (reading them logs the exposure with the circle's plugin
    /// version, as `quanzi.ab.param` in the circle's rule does).
    func rankingParameters(_ weights: RankingWeights, for viewer: UserProfile, in circle: CircleID) throws(QuanziError) -> RankingParameters {
        var parameters = RankingParameters(
            halfLifeHours: weights.halfLifeHours, engagementWeight: weights.engagementWeight, tipsWeight: weights.tipsWeight,
            creditWeight: weights.creditWeight, affinityWeight: weights.affinityWeight, reportPenalty: weights.reportPenalty,
            seenPenalty: weights.seenPenalty, maxPerAuthor: weights.maxPerAuthor, showLessPenalty: weights.showLessPenalty)
        parameters.showLessKindPenalty = weights.showLessKindPenalty
        for experiment in weights.experiments {
            guard let variant = try experiments.expose(viewer, to: experiment, circle: circle).variant else { continue }
            for (key, value) in variant.parameters {
                let number: Double
                switch value {
                case .integer(let integer): number = Double(integer)
                case .number(let double): number = double
                default: continue
                }
                switch key {
                case "half_life_hours": parameters.halfLifeHours = number
                case "w_engagement": parameters.engagementWeight = number
                case "w_tips": parameters.tipsWeight = number
                case "w_credit": parameters.creditWeight = number
                case "w_affinity": parameters.affinityWeight = number
                case "report_penalty": parameters.reportPenalty = number
                case "seen_penalty": parameters.seenPenalty = number
                case "show_less_penalty": parameters.showLessPenalty = number
                case "show_less_kind_penalty": parameters.showLessKindPenalty = number
                case "max_per_author": parameters.maxPerAuthor = Int(number)
                default: continue
                }
            }
        }
        return parameters
    }

    /// Rescores everyone's credit and passes the new scores to the feeds.
    @discardableResult
    public func recomputeCredit() throws(QuanziError) -> Int {
        let count = try QuanziError.wrapping { try credit.recomputeAll(at: now) }
        let scores = try QuanziError.wrapping { try credit.allScores() }
        feeds.updateCredit(scores)
        // Other nodes sharing the database refresh their windows' scores when they see this
        // (a single-writer database has no other node to tell).
        if storage.eventFollowing != nil {
            try? storage.events.append(Event(kind: .creditRecomputed, at: now, context: "{\"users\":\(count)}"))
        }
        return count
    }
}
