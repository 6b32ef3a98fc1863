import Feed
import Service

/// One ranked page of a circle's feed.
struct FeedView: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        let post: PostView
        /// Only for the post's author or an admin: a score is a sum whose private terms (the
        /// author's credit, tips, reports) follow from it by subtraction.
        let score: Double?
        /// With `?explain=1`: why the post scored what it did, private terms only for the
        /// post's author or an admin (`FeedFeature.isPrivateToAuthor`).
        let explanation: ExplanationView?
    }

    /// Each feature's contribution (they sum to the score) and the inputs behind them.
    struct ExplanationView: Encodable, Sendable {
        struct Contribution: Encodable, Sendable {
            let feature: String
            let value: Double
        }

        let ageSeconds: Int64
        let decay: Double
        let affinity: Double
        let isFriend: Bool
        let isSeen: Bool
        let contributions: [Contribution]
        /// True when the author-private terms were left out of `contributions`.
        let privateTermsHidden: Bool

        enum CodingKeys: String, CodingKey {
            case ageSeconds = "age_seconds", decay, affinity, isFriend = "is_friend", isSeen = "is_seen", contributions
            case privateTermsHidden = "private_terms_hidden"
        }
    }

    /// The weights the page was ranked with: the circle's, with the viewer's experiment variants.
    struct ParametersView: Encodable, Sendable {
        let halfLifeHours: Double
        let engagementWeight: Double
        let tipsWeight: Double
        let creditWeight: Double
        let affinityWeight: Double
        let friendshipWeight: Double
        let reportPenalty: Double
        let seenPenalty: Double
        let showLessPenalty: Double
        let showLessKindPenalty: Double
        let maxPerAuthor: Int

        enum CodingKeys: String, CodingKey {
            case halfLifeHours = "half_life_hours", engagementWeight = "engagement_weight", tipsWeight = "tips_weight", creditWeight = "credit_weight", affinityWeight = "affinity_weight", friendshipWeight = "friendship_weight", reportPenalty = "report_penalty", seenPenalty = "seen_penalty", showLessPenalty = "show_less_penalty", showLessKindPenalty = "show_less_kind_penalty", maxPerAuthor = "max_per_author"
        }
    }

    let items: [Item]
    /// Opaque; pass it back as `cursor`. Absent on the last page.
    let nextCursor: String?
    /// With `?explain=1`.
    let parameters: ParametersView?

    enum CodingKeys: String, CodingKey {
        case items, nextCursor = "next_cursor", parameters
    }
}

// The conversions live in extensions so that the views keep their memberwise initializers.
extension FeedView {
    /// `viewer` sees the score and the private terms of their own posts only, unless an admin.
    init(_ result: FeedResult, explain: Bool, viewer: Caller) {
        self.init(
            items: result.items.map { item in
                let mayKnowPrivate = viewer.isAdmin || item.post.authorID == viewer.userID
                return Item(
                    post: PostView(item.post), score: mayKnowPrivate ? item.score : nil,
                    explanation: item.explanation.map { ExplanationView($0, showingPrivateTerms: mayKnowPrivate) })
            },
            nextCursor: result.nextCursor, parameters: explain ? ParametersView(result.parameters) : nil)
    }
}

extension FeedView.ExplanationView {
    init(_ explanation: FeedExplanation, showingPrivateTerms: Bool) {
        let shown = explanation.contributions.filter { showingPrivateTerms || !$0.feature.isPrivateToAuthor }
        self.init(
            ageSeconds: explanation.ageSeconds, decay: explanation.decay, affinity: explanation.affinity, isFriend: explanation.isFriend,
            isSeen: explanation.isSeen, contributions: shown.map { Contribution(feature: $0.feature.rawValue, value: $0.value) },
            privateTermsHidden: !showingPrivateTerms)
    }
}

extension FeedView.ParametersView {
    init(_ parameters: RankingParameters) {
        self.init(
            halfLifeHours: parameters.halfLifeHours, engagementWeight: parameters.engagementWeight, tipsWeight: parameters.tipsWeight,
            creditWeight: parameters.creditWeight, affinityWeight: parameters.affinityWeight, friendshipWeight: parameters.friendshipWeight,
            reportPenalty: parameters.reportPenalty, seenPenalty: parameters.seenPenalty, showLessPenalty: parameters.showLessPenalty,
            showLessKindPenalty: parameters.showLessKindPenalty,
            maxPerAuthor: parameters.maxPerAuthor)
    }
}
