import Core
import Foundation

/// One request's weights, read once, and the scoring arithmetic. The ranking loop and
/// `FeedExplanation` both call these functions in the same order, so an explained score is
/// bit-identical to the score the post was ranked by.
///
///     score = decay · base − reportPenalty · log1p(reports) − (seen ? seenPenalty : 0) − kindPenalty
///     kindPenalty = showLessKindPenalty · log1p(the viewer's marks on posts of the post's kind)
///     decay = 2^(−age / half-life)
///     base  = 1 + w_engagement · log1p(likes + 2·comments) + w_tips · log1p(fen)
///               + w_credit · credit + viewerTerm
///     viewerTerm = w_affinity · affinity + (friend ? w_friendship : 0) − showLessPenalty · log1p(marks)
struct Scorer: Sendable {
    /// A fresh post with no engagement still has a base of 1, so recency alone orders new posts.
    static let freshnessBase = 1.0

    let nowEpochSeconds: Int64
    let decayPerSecond: Double
    let engagementWeight: Double
    let tipsWeight: Double
    let creditWeight: Double
    let affinityWeight: Double
    let friendshipWeight: Double
    let reportPenalty: Double
    let seenPenalty: Double
    let showLessPenalty: Double
    let showLessKindPenalty: Double

    /// How far apart (in creation time) the ranking loop recomputes its decay bound: 1/64 of a
    /// half-life keeps the bound within 1.1% of the exact decay.
    let decayBoundSpanSeconds: Int64

    init(_ parameters: RankingParameters, nowEpochSeconds: Int64) {
        self.nowEpochSeconds = nowEpochSeconds
        decayPerSecond = 1 / (parameters.halfLifeHours * 3_600)
        decayBoundSpanSeconds = max(1, Int64(parameters.halfLifeHours * 3_600 / 64))
        engagementWeight = parameters.engagementWeight
        tipsWeight = parameters.tipsWeight
        creditWeight = parameters.creditWeight
        affinityWeight = parameters.affinityWeight
        friendshipWeight = parameters.friendshipWeight
        reportPenalty = parameters.reportPenalty
        seenPenalty = parameters.seenPenalty
        showLessPenalty = parameters.showLessPenalty
        showLessKindPenalty = parameters.showLessKindPenalty
    }

    /// Seconds since the post was created; a post from a clock running ahead counts as new.
    @inline(__always)
    func ageSeconds(createdAtEpochSeconds: Int64) -> Int64 {
        max(0, nowEpochSeconds &- createdAtEpochSeconds)
    }

    /// 2^(−age / half-life), in (0, 1]. Non-increasing as posts get older. `pow(2, x)` as Lua's
    /// `2^x` and SQLite's `pow` compute it, so that the baselines reproduce our scores bit for bit.
    @inline(__always)
    func decay(createdAtEpochSeconds: Int64) -> Double {
        pow(2, -Double(ageSeconds(createdAtEpochSeconds: createdAtEpochSeconds)) * decayPerSecond)
    }

    /// The part of the score that recency scales. Non-decreasing in each argument (weights are
    /// non-negative), which makes `base` of the maxima an upper bound.
    @inline(__always)
    func base(engagement: Float, tips: Float, credit: Float, viewerTerm: Double) -> Double {
        Self.freshnessBase + engagementWeight * Double(engagement) + tipsWeight * Double(tips)
            + creditWeight * Double(credit) + viewerTerm
    }

    @inline(__always)
    func score(decay: Double, base: Double, reports: Float, isSeen: Bool, kindPenalty: Double = 0) -> Double {
        decay * base - reportPenalty * Double(reports) - (isSeen ? seenPenalty : 0) - kindPenalty
    }

    /// Kinds a window may hold (`CandidateRow.kindIndex` is a byte).
    static let kindCount = 256
    /// No kind penalized: the usual case, shared rather than allocated per request.
    static let noKindPenalties = [Double](repeating: 0, count: kindCount)

    /// The penalty of each kind index for this viewer; nil when none is penalized (no declared
    /// weight, or no marks), so the scan reads no kind at all.
    func kindPenalties(_ viewer: ViewerSignals) -> [Double]? {
        guard showLessKindPenalty > 0, !viewer.showLessByKindIndex.isEmpty else { return nil }
        var penalties = Self.noKindPenalties
        for (kind, count) in viewer.showLessByKindIndex { penalties[Int(kind)] = kindPenalty(count: count) }
        return penalties
    }

    func kindPenalty(count: Int) -> Double { showLessKindPenalty * ViewerSignals.showLessFeature(count: count) }

    /// What the viewer adds to an author's posts (less after "show less": it may go below zero).
    @inline(__always)
    func viewerTerm(affinity: Double, isFriend: Bool, showLess: Double = 0) -> Double {
        affinityWeight * affinity + (isFriend ? friendshipWeight : 0) - showLessPenalty * showLess
    }

    /// `viewerTerm` for every author index of `authors`, into `scratch` (zero for the many the
    /// viewer does not know): the viewer's few friends and affinities. The viewer's sets are
    /// iterated, never probed, so no SipHash; friends are written first so that an author with
    /// both gets both.
    func fillViewerTerms(_ scratch: inout AuthorScratch, _ authors: AuthorTable, viewer: ViewerSignals) {
        for friend in viewer.friendIDs {
            guard let index = authors.indexByUserID[friend.rawValue].map(Int.init) else { continue }
            scratch.setTerm(viewerTerm(affinity: 0, isFriend: true), at: index)
        }
        for (author, value) in viewer.affinityByAuthor {
            guard let index = authors.indexByUserID[author.rawValue].map(Int.init) else { continue }
            // A friend's term is nonzero, unless the friendship weight is zero, when it adds nothing anyway.
            let isFriend = scratch.terms[index] != 0
            scratch.setTerm(viewerTerm(affinity: ViewerSignals.clampedAffinity(value), isFriend: isFriend), at: index)
        }
        // "Show less" last, from the author's whole term (friendship and affinity included).
        guard showLessPenalty > 0 else { return }
        for (author, count) in viewer.showLessByAuthor where count > 0 {
            guard let index = authors.indexByUserID[author.rawValue].map(Int.init) else { continue }
            let isFriend = viewer.friendIDs.contains(author)
            scratch.setTerm(
                viewerTerm(affinity: viewer.affinity(to: author), isFriend: isFriend, showLess: ViewerSignals.showLessFeature(count: count)),
                at: index)
        }
    }
}
