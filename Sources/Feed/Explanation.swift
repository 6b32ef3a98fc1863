import Core

/// The terms of a post's score, in the order `quanzi feed --explain` prints them.
public enum FeedFeature: String, Sendable, Hashable, CaseIterable {
    /// decay · 1: how fresh the post is.
    case recency
    /// decay · w_engagement · log1p(likes + 2·comments)
    case engagement
    /// decay · w_tips · log1p(fen)
    case tips
    /// decay · w_credit · (credit − 350) / 600
    case credit
    /// decay · w_affinity · affinity
    case affinity
    /// decay · w_friendship, if the author is a friend
    case friendship
    /// −reportPenalty · log1p(reports)
    case reports
    /// −seenPenalty, if already seen
    case seen
    /// decay · −showLessPenalty · log1p(the viewer's "show less" marks on the author's posts)
    case showLess = "show_less"
    /// −showLessKindPenalty · log1p(the viewer's "show less" marks on posts of this kind)
    case showLessKind = "show_less_kind"
}

extension FeedFeature {
    /// Whether the term reveals what only the post's author (or an admin) may know: the author's
    /// credit score, the money tipped on the post, the reports against it. Each contribution is
    /// the term's input times weights the viewer also sees, so showing the term is showing the
    /// input; and the post's total score, minus the terms a viewer may see, is the sum of these.
    public var isPrivateToAuthor: Bool {
        switch self {
        case .credit, .tips, .reports: true
        case .recency, .engagement, .affinity, .friendship, .seen, .showLess, .showLessKind: false
        }
    }
}

/// Why a post scored what it did: each feature's contribution, and the inputs behind them. The
/// contributions add up to `score` (up to floating-point rounding), and `score` is exactly the
/// score the ranker used.
public struct FeedExplanation: Sendable, Hashable {
    public struct Contribution: Sendable, Hashable {
        public var feature: FeedFeature
        public var value: Double
    }

    public var postID: Int64
    public var authorID: UserID
    public var score: Double
    /// The post as the window holds it: counts, tips, reports, the author's credit, status.
    public var row: CandidateRow
    public var ageSeconds: Int64
    /// 2^(−age / half-life): the factor scaling every quality term.
    public var decay: Double
    public var affinity: Double
    public var isFriend: Bool
    public var isSeen: Bool
    /// One per `FeedFeature`, in its order.
    public var contributions: [Contribution]

    public var contributionSum: Double { contributions.reduce(0) { $0 + $1.value } }

    public func contribution(of feature: FeedFeature) -> Double {
        contributions.first { $0.feature == feature }?.value ?? 0
    }
}

extension FeedRanker {
    /// Explanations of `postIDs` (those in the window) as scored for `request`: the same time,
    /// weights and viewer signals a page of that request uses. Status, age and diversity are not
    /// applied: any post in the window can be explained.
    public static func explain(_ postIDs: some Sequence<Int64>, in window: CandidateWindow, for request: FeedRequest) -> [FeedExplanation] {
        let scorer = Scorer(request.parameters, nowEpochSeconds: request.nowEpochSeconds)
        let viewer = request.viewer
        let kindPenalties = scorer.kindPenalties(viewer) ?? Scorer.noKindPenalties
        return postIDs.compactMap { postID -> FeedExplanation? in
            guard let index = window.index(of: postID) else { return nil }
            let columns = window.columns
            let authorIndex = Int(columns.authorIndices[index])
            let authorID = window.authors.userIDs[authorIndex]
            let credit = window.authors.creditFeatures[authorIndex]
            let affinity = viewer.affinity(to: authorID)
            let isFriend = viewer.friendIDs.contains(authorID)
            let isSeen = viewer.seenPostIDs.contains(postID)
            let createdAt = columns.createdAtEpochSeconds[index]
            // The ranking loop's arithmetic, call for call: the same score to the last bit.
            let decay = scorer.decay(createdAtEpochSeconds: createdAt)
            let showLess = viewer.showLessFeature(of: authorID)
            let viewerTerm = scorer.viewerTerm(affinity: affinity, isFriend: isFriend, showLess: showLess)
            let base = scorer.base(
                engagement: columns.engagementFeatures[index], tips: columns.tipsFeatures[index], credit: credit,
                viewerTerm: viewerTerm)
            let kindPenalty = kindPenalties[Int(columns.kindIndices[index])]
            let score = scorer.score(decay: decay, base: base, reports: columns.reportFeatures[index], isSeen: isSeen, kindPenalty: kindPenalty)

            let terms: [(FeedFeature, Double)] = [
                (.recency, decay * Scorer.freshnessBase),
                (.engagement, decay * scorer.engagementWeight * Double(columns.engagementFeatures[index])),
                (.tips, decay * scorer.tipsWeight * Double(columns.tipsFeatures[index])),
                (.credit, decay * scorer.creditWeight * Double(credit)),
                (.affinity, decay * scorer.affinityWeight * affinity),
                (.friendship, isFriend ? decay * scorer.friendshipWeight : 0),
                (.reports, -scorer.reportPenalty * Double(columns.reportFeatures[index])),
                (.seen, isSeen ? -scorer.seenPenalty : 0),
                (.showLess, showLess > 0 ? -decay * scorer.showLessPenalty * showLess : 0),
                (.showLessKind, kindPenalty > 0 ? -kindPenalty : 0),
            ]
            return FeedExplanation(
                postID: postID, authorID: authorID, score: score, row: columns.row(at: index, authors: window.authors),
                ageSeconds: scorer.ageSeconds(createdAtEpochSeconds: createdAt), decay: decay, affinity: affinity,
                isFriend: isFriend, isSeen: isSeen,
                contributions: terms.map { FeedExplanation.Contribution(feature: $0.0, value: $0.1) })
        }
    }
}
