/// Credit history (信用历史), up to 180 points: how long and how much the wallet has been used.
enum HistoryDimension {
    /// History length is the largest part, as in every credit bureau's history factor.
    static let accountAgePoints = 70.0
    /// Days of account age at which those points are full (chosen: three years).
    static let accountAgeFullDays = 1_095.0
    /// Regular use: days with activity in the last year.
    static let activeDaysPoints = 50.0
    /// Active days at which half the points are reached (chosen: about one day a week).
    static let activeDaysHalf = 60.0
    /// Transfers, tips and red packets with other people, as far as they were established.
    static let walletActivityPoints = 60.0
    /// Wallet actions at which half the points are reached (chosen: a few a month for a year).
    static let walletActivityHalf = 30.0

    /// Inputs must be clamped (`CreditInputs.clamped`).
    static func score(accountAgeDays: Int, history: CreditHistory, counterpartyCredibility credibility: Double) -> CreditDimensionScore {
        var tally = DimensionTally(.history)
        let ageDays = accountAgeDays
        tally.add(
            .historyAccountAge, points: accountAgePoints * Curve.ramp(Double(ageDays), from: 0, to: accountAgeFullDays),
            "account is \(counted(ageDays, "day")) old")

        // Nobody can be active on more days than the account has existed or the window holds.
        let activeDays = min(history.activeDays, min(ageDays + 1, CreditWindows.activeDaysWindowDays))
        tally.add(
            .historyActiveDays, points: activeDaysPoints * Curve.saturating(Double(activeDays), half: activeDaysHalf),
            "active on \(activeDays) of the last \(CreditWindows.activeDaysWindowDays) days")

        let actions = history.walletActions
        let walletPoints = walletActivityPoints * Curve.saturating(Double(actions), half: walletActivityHalf)
        if actions == 0 {
            tally.add(.historyWalletActivity, points: 0, "no transfers, tips or red packets yet")
        } else {
            tally.add(
                .historyWalletActivity, points: walletPoints,
                "\(counted(actions, "transfer, tip or red packet", "transfers, tips and red packets"))")
            if credibility < 1 {
                tally.add(
                    .historyUnvettedCounterparties, points: -walletPoints * (1 - credibility),
                    unvettedMessage(credibility: credibility))
            }
        }
        return tally.finished()
    }

    /// The sentence shared by history and payment behaviour when counterparties are not established.
    static func unvettedMessage(credibility: Double) -> String {
        let percent = Int((credibility * 100).rounded(.down))
        if percent == 0 {
            return "none of it was with established accounts, so it does not count yet"
        }
        return "it counts \(percent)%: that is how established the accounts on the other side are"
    }
}
