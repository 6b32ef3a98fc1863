import Core

/// The ranking weights for one request: a circle plugin's `ranking` table with any experiment
/// overrides applied (the integrator maps `Social.RankingWeights` to this). Read once per request.
///
/// Every weight and penalty is non-negative: a penalty has its own field rather than a negative
/// weight, which lets the ranker stop scanning once no older post can reach the page.
public struct RankingParameters: Sendable, Hashable {
    /// A post's quality terms count half as much after this many hours.
    public var halfLifeHours: Double
    /// Weight of log1p(likes + 2·comments).
    public var engagementWeight: Double
    /// Weight of log1p(tips in fen).
    public var tipsWeight: Double
    /// Weight of the author's credit, normalized to 0…1 over the 350–950 score range.
    public var creditWeight: Double
    /// Weight of the viewer's affinity to the author (0…1).
    public var affinityWeight: Double
    /// Added (before decay) when the author is the viewer's friend.
    public var friendshipWeight: Double
    /// Weight of log1p(reports), subtracted.
    public var reportPenalty: Double
    /// Subtracted when the viewer has already seen the post.
    public var seenPenalty: Double
    /// Weight of log1p(the viewer's "show less" marks on the author's posts), subtracted from
    /// the author's viewer term (before decay, as affinity is added).
    public var showLessPenalty: Double
    /// Weight of log1p(the viewer's "show less" marks on posts of a post's kind), subtracted
    /// from the post's score as the seen penalty is. 0 unless a circle's ranking declares it.
    public var showLessKindPenalty: Double = 0
    /// Posts one author may have in the viewer's feed (across all its pages).
    public var maxPerAuthor: Int

    /// Defaults are `Social.RankingWeights`' defaults, plus a friendship bonus (no plugin sets one yet).
    public init(
        halfLifeHours: Double = 12, engagementWeight: Double = 1, tipsWeight: Double = 0.5,
        creditWeight: Double = 0.2, affinityWeight: Double = 1, friendshipWeight: Double = 0.5,
        reportPenalty: Double = 2, seenPenalty: Double = 1, maxPerAuthor: Int = 2, showLessPenalty: Double = 1
    ) {
        self.halfLifeHours = halfLifeHours
        self.engagementWeight = engagementWeight
        self.tipsWeight = tipsWeight
        self.creditWeight = creditWeight
        self.affinityWeight = affinityWeight
        self.friendshipWeight = friendshipWeight
        self.reportPenalty = reportPenalty
        self.seenPenalty = seenPenalty
        self.maxPerAuthor = maxPerAuthor
        self.showLessPenalty = showLessPenalty
    }

    /// Longest half-life accepted: a year; beyond that recency no longer means anything.
    public static let halfLifeHoursMax = 24.0 * 365
    /// Largest weight accepted. Far above any sensible value; keeps scores finite.
    public static let weightMax = 1e6

    /// Every problem with these parameters (all of them, not the first), empty when usable.
    public var problems: [String] {
        var found: [String] = []
        if !(halfLifeHours > 0 && halfLifeHours <= Self.halfLifeHoursMax) {
            found.append("halfLifeHours must be in (0, \(Self.halfLifeHoursMax)], got \(halfLifeHours)")
        }
        let weights: [(String, Double)] = [
            ("engagementWeight", engagementWeight), ("tipsWeight", tipsWeight), ("creditWeight", creditWeight),
            ("affinityWeight", affinityWeight), ("friendshipWeight", friendshipWeight),
            ("reportPenalty", reportPenalty), ("seenPenalty", seenPenalty), ("showLessPenalty", showLessPenalty),
            ("showLessKindPenalty", showLessKindPenalty),
        ]
        for (name, value) in weights where !(value >= 0 && value <= Self.weightMax) {
            found.append("\(name) must be in [0, \(Self.weightMax)], got \(value)")
        }
        if !(1...FeedLimits.depthMax).contains(maxPerAuthor) {
            found.append("maxPerAuthor must be in 1...\(FeedLimits.depthMax), got \(maxPerAuthor)")
        }
        return found
    }

    /// These parameters, or `invalid_argument` naming every problem.
    public func validated() throws(QuanziError) -> RankingParameters {
        let found = problems
        guard found.isEmpty else { throw QuanziError(.invalidArgument, "ranking parameters: " + found.joined(separator: "; ")) }
        return self
    }
}
