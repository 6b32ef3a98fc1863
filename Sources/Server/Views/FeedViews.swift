import Feed
import Service

/// One ranked page of a circle's feed.
struct FeedView: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        let post: PostView
        let score: Double
        /// With `?explain=1`: why the post scored what it did.
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

        enum CodingKeys: String, CodingKey {
            case ageSeconds = "age_seconds", decay, affinity, isFriend = "is_friend", isSeen = "is_seen", contributions
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
        let maxPerAuthor: Int

        enum CodingKeys: String, CodingKey {
            case halfLifeHours = "half_life_hours", engagementWeight = "engagement_weight", tipsWeight = "tips_weight", creditWeight = "credit_weight", affinityWeight = "affinity_weight", friendshipWeight = "friendship_weight", reportPenalty = "report_penalty", seenPenalty = "seen_penalty", maxPerAuthor = "max_per_author"
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
    init(_ result: FeedResult, explain: Bool) {
        self.init(
            items: result.items.map { Item(post: PostView($0.post), score: $0.score, explanation: $0.explanation.map(ExplanationView.init)) },
            nextCursor: result.nextCursor, parameters: explain ? ParametersView(result.parameters) : nil)
    }
}

extension FeedView.ExplanationView {
    init(_ explanation: FeedExplanation) {
        self.init(
            ageSeconds: explanation.ageSeconds, decay: explanation.decay, affinity: explanation.affinity, isFriend: explanation.isFriend,
            isSeen: explanation.isSeen, contributions: explanation.contributions.map { Contribution(feature: $0.feature.rawValue, value: $0.value) })
    }
}

extension FeedView.ParametersView {
    init(_ parameters: RankingParameters) {
        self.init(
            halfLifeHours: parameters.halfLifeHours, engagementWeight: parameters.engagementWeight, tipsWeight: parameters.tipsWeight,
            creditWeight: parameters.creditWeight, affinityWeight: parameters.affinityWeight, friendshipWeight: parameters.friendshipWeight,
            reportPenalty: parameters.reportPenalty, seenPenalty: parameters.seenPenalty, maxPerAuthor: parameters.maxPerAuthor)
    }
}
