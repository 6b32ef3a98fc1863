import Core

/// What a user can try to do in a circle; each has a Lua rule.
public enum CircleAction: String, Sendable, Hashable, Codable, CaseIterable {
    case view, post, comment, like, tip, report
}

/// The kinds of post a circle can allow (the seed's "nearby" circle allows videos and shop links).
public enum PostKind: String, Sendable, Hashable, Codable, CaseIterable {
    case text, photo, video
    case shopLink = "shop_link"
}

/// Who may see a circle's posts at all, declared by the plugin so that the feed can narrow its
/// candidates in Swift before any Lua runs (a friends-only circle would otherwise ask its `view`
/// rule about every post in the window). It only narrows: the `view` rule still runs on every
/// post a feed shows and may refuse more.
public enum CircleAudience: String, Sendable, Hashable, Codable, CaseIterable {
    /// No narrowing: the `view` rule decides alone.
    case everyone
    /// The author and the author's friends.
    case friends
    /// Viewers whose profile city is the author's (neither may be unset).
    case sameCity = "same_city"
}

/// Keyword filtering and the report threshold that hides a post automatically.
public struct ModerationPolicy: Sendable, Hashable {
    public var keywords: [String]
    public var reportThreshold: Int

    public static let defaultReportThreshold = 5

    public init(keywords: [String] = [], reportThreshold: Int = ModerationPolicy.defaultReportThreshold) {
        self.keywords = keywords
        self.reportThreshold = reportThreshold
    }
}

/// Ranking weights a circle's plugin sets; experiments may override them per request.
public struct RankingWeights: Sendable, Hashable {
    public var halfLifeHours: Double
    public var engagementWeight: Double
    public var tipsWeight: Double
    public var creditWeight: Double
    public var affinityWeight: Double
    public var reportPenalty: Double
    public var seenPenalty: Double
    public var maxPerAuthor: Int
    /// Weight of log1p(a viewer's "show less" marks on an author's posts), subtracted.
    public var showLessPenalty: Double
    /// Weight of log1p(a viewer's "show less" marks on posts of a kind), subtracted from posts of
    /// that kind; 0 (the default) leaves kinds alone.
    public var showLessKindPenalty: Double = 0
    /// Experiments whose variant parameters override these weights (by field name, e.g.
    /// `w_affinity`) for the users in them; read once per feed request.
    public var experiments: [String]

    public init(
        halfLifeHours: Double = 12, engagementWeight: Double = 1, tipsWeight: Double = 0.5, creditWeight: Double = 0.2,
        affinityWeight: Double = 1, reportPenalty: Double = 2, seenPenalty: Double = 1, maxPerAuthor: Int = 2, showLessPenalty: Double = 1,
        experiments: [String] = []
    ) {
        self.halfLifeHours = halfLifeHours
        self.engagementWeight = engagementWeight
        self.tipsWeight = tipsWeight
        self.creditWeight = creditWeight
        self.affinityWeight = affinityWeight
        self.reportPenalty = reportPenalty
        self.seenPenalty = seenPenalty
        self.maxPerAuthor = maxPerAuthor
        self.showLessPenalty = showLessPenalty
        self.experiments = experiments
    }
}

/// Where something was declared: a plugin file and line, shown as `file:line`.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }
    public var description: String { "\(file):\(line)" }
}

/// A circle as its plugin declared it, after validation.
public struct CircleDefinition: Sendable, Hashable {
    public var id: CircleID
    public var title: String
    public var description: String?
    public var location: SourceLocation
    /// The rules the plugin defines, with where each function starts. Actions without a rule
    /// are denied.
    public var ruleLocations: [CircleAction: SourceLocation]
    public var moderation: ModerationPolicy
    public var ranking: RankingWeights
    public var audience: CircleAudience

    public init(
        id: CircleID, title: String, description: String? = nil, location: SourceLocation,
        ruleLocations: [CircleAction: SourceLocation], moderation: ModerationPolicy = ModerationPolicy(),
        ranking: RankingWeights = RankingWeights(), audience: CircleAudience = .everyone
    ) {
        self.audience = audience
        self.id = id
        self.title = title
        self.description = description
        self.location = location
        self.ruleLocations = ruleLocations
        self.moderation = moderation
        self.ranking = ranking
    }
}
