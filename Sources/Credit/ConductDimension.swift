/// Conduct in circles, up to 120 points, over the last `CreditWindows.conductWindowDays` days.
///
/// Mostly a penalty dimension: an account starts in good standing and moderation outcomes take
/// points away. The seed's lesson is that a circle fills with bad content fast; hidden posts and
/// upheld reports are what moderation learned about a person.
enum ConductDimension {
    /// Good standing before any offence (chosen: two thirds of the dimension, so that a clean
    /// newcomer is not punished for having posted nothing).
    static let baselinePoints = 80.0
    /// Posts that stayed up show a track record for the remaining third.
    static let postsVisiblePoints = 40.0
    /// Visible posts at which half of those points are reached (chosen).
    static let postsVisibleHalf = 10.0
    /// Most that hidden posts can take away (chosen: the whole baseline).
    static let postsHiddenPenaltyMaximum = 80.0
    /// Hidden posts at which half of that is taken (chosen: two hides in a quarter already cost 40).
    static let postsHiddenHalf = 2.0
    /// Most that upheld reports can take away. Smaller than hides: each report on a hidden post
    /// is counted too, so one bad post can bring several.
    static let reportsUpheldPenaltyMaximum = 60.0
    /// Upheld reports at which half of that is taken (chosen).
    static let reportsUpheldHalf = 3.0
    /// Most that false reports can take away: abusing reports harms other users, but less
    /// than posting what gets hidden (chosen).
    static let falseReportsPenaltyMaximum = 40.0
    /// False reports at which half of that is taken (chosen).
    static let falseReportsHalf = 3.0
    /// Most that held comments can take away: half of what posts can (a comment reaches fewer
    /// people than a post; chosen).
    static let commentsHiddenPenaltyMaximum = 40.0
    /// Held comments at which half of that is taken (chosen).
    static let commentsHiddenHalf = 3.0

    /// `conduct` must be clamped (`CreditInputs.clamped`).
    static func score(_ conduct: CreditConduct) -> CreditDimensionScore {
        var tally = DimensionTally(.conduct)
        let window = CreditWindows.conductWindowDays
        let hidden = conduct.postsHidden
        let upheld = conduct.reportsUpheld
        let falseReports = conduct.falseReportsFiled
        let commentsHidden = conduct.commentsHidden
        if hidden == 0, upheld == 0, falseReports == 0, commentsHidden == 0 {
            tally.add(.conductCleanRecord, points: baselinePoints, "no posts hidden and no reports upheld in the last \(window) days")
        } else {
            tally.add(.conductBaseline, points: baselinePoints, "every account starts in good standing")
        }
        let visible = conduct.postsVisible
        if visible > 0 {
            tally.add(
                .conductPostsVisible, points: postsVisiblePoints * Curve.saturating(Double(visible), half: postsVisibleHalf),
                "\(counted(visible, "post")) in the last \(window) days stayed up")
        }
        if hidden > 0 {
            tally.add(
                .conductPostsHidden, points: -postsHiddenPenaltyMaximum * Curve.saturating(Double(hidden), half: postsHiddenHalf),
                "\(counted(hidden, "post")) hidden by moderation in the last \(window) days")
        }
        if upheld > 0 {
            tally.add(
                .conductReportsUpheld, points: -reportsUpheldPenaltyMaximum * Curve.saturating(Double(upheld), half: reportsUpheldHalf),
                "\(counted(upheld, "report")) against your posts upheld in the last \(window) days")
        }
        if commentsHidden > 0 {
            tally.add(
                .conductCommentsHidden,
                points: -commentsHiddenPenaltyMaximum * Curve.saturating(Double(commentsHidden), half: commentsHiddenHalf),
                "\(counted(commentsHidden, "comment")) hidden by moderation in the last \(window) days")
        }
        if falseReports > 0 {
            tally.add(
                .conductFalseReports, points: -falseReportsPenaltyMaximum * Curve.saturating(Double(falseReports), half: falseReportsHalf),
                "\(counted(falseReports, "report")) you filed rejected by a reviewer in the last \(window) days")
        }
        return tally.finished()
    }
}
