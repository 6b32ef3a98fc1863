/// Payment behaviour (行为偏好, and the nearest we have to 履约能力), up to 150 points.
enum PaymentDimension {
    /// Top-ups bring money from the user's own bank card: a real payment instrument behind the
    /// account. They are not discounted by counterparties, because the counterparty is a bank.
    static let topUpPoints = 40.0
    /// Top-ups at which half the points are reached (chosen).
    static let topUpsHalf = 3.0
    /// Payments sent to other people.
    static let completedPoints = 40.0
    /// Payments at which half the points are reached (chosen).
    static let completedHalf = 20.0
    /// Paying only with money one has. The largest part: it is what a lender would ask about.
    static let reliabilityPoints = 70.0
    /// Payments sent at which half the reliability evidence is reached (chosen: a handful is
    /// enough to tell someone who pays from someone who never tried).
    static let reliabilityEvidenceHalf = 5.0
    /// One refused payment weighs as much as this many completed ones (chosen).
    static let failureWeight = 5.0

    /// Inputs must be clamped (`CreditInputs.clamped`).
    static func score(
        history: CreditHistory, payments: CreditPayments, counterpartyCredibility credibility: Double
    ) -> CreditDimensionScore {
        var tally = DimensionTally(.paymentBehaviour)
        let topUps = payments.topUps
        tally.add(
            .paymentTopUps, points: topUpPoints * Curve.saturating(Double(topUps), half: topUpsHalf),
            topUps == 0 ? "no top-ups from a bank card yet" : "\(counted(topUps, "top-up")) from a bank card")

        let sent = history.paymentsSent
        let failures = payments.insufficientFundsFailures
        let completed = completedPoints * Curve.saturating(Double(sent), half: completedHalf)
        tally.add(
            .paymentCompleted, points: completed,
            sent == 0 ? "no payments to other people yet" : "\(counted(sent, "payment")) to other people")

        let evidence = reliabilityPoints * Curve.saturating(Double(sent), half: reliabilityEvidenceHalf)
        let cleanShare = sent == 0 ? 1 : Double(sent) / (Double(sent) + failureWeight * Double(failures))
        let reliabilityMessage =
            sent == 0
            ? "no payments yet to show reliability"
            : failures == 0 ? "no payment refused for insufficient funds" : "reliability shown by payments made"
        tally.add(.paymentReliability, points: evidence, reliabilityMessage)
        if failures > 0 {
            tally.add(
                .paymentInsufficientFunds, points: -evidence * (1 - cleanShare),
                "\(counted(failures, "payment")) refused for insufficient funds in the last \(CreditWindows.paymentFailuresWindowDays) days"
            )
        }
        if sent > 0, credibility < 1 {
            tally.add(
                .paymentUnvettedCounterparties, points: -(completed + evidence * cleanShare) * (1 - credibility),
                HistoryDimension.unvettedMessage(credibility: credibility))
        }
        return tally.finished()
    }
}
