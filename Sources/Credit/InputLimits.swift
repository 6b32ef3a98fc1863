/// Bounds every input is clamped to before any arithmetic, so that bad data from Storage cannot
/// overflow a sum or invert a curve: negative counts read as zero, absurd ones as the maximum.
enum InputLimits {
    /// The largest count or day span the engine reads (chosen: far beyond any real user, and
    /// small enough that adding a handful of counts cannot overflow an `Int`).
    static let countMaximum = 1_000_000_000
    /// The largest payment volume read, in fen (ten billion yuan; chosen like `countMaximum`).
    static let volumeMaximumFen: Int64 = 1_000_000_000_000

    static func count(_ value: Int) -> Int { min(max(0, value), countMaximum) }
}

extension CreditInputs {
    /// The same inputs with every number inside `InputLimits`.
    var clamped: CreditInputs {
        let count = InputLimits.count
        return CreditInputs(
            accountAgeDays: count(accountAgeDays),
            identity: CreditIdentity(
                verifiedDaysAgo: identity.verifiedDaysAgo.map(count), occupation: identity.occupation, hasSchool: identity.hasSchool,
                hasEmployer: identity.hasEmployer, hasCity: identity.hasCity),
            history: CreditHistory(
                activeDays: count(history.activeDays), transfersSent: count(history.transfersSent), tipsSent: count(history.tipsSent),
                redPacketsSent: count(history.redPacketsSent), redPacketsClaimed: count(history.redPacketsClaimed)),
            payments: CreditPayments(topUps: count(payments.topUps), insufficientFundsFailures: count(payments.insufficientFundsFailures)),
            conduct: CreditConduct(
                postsCreated: count(conduct.postsCreated), postsHidden: count(conduct.postsHidden),
                reportsUpheld: count(conduct.reportsUpheld), falseReportsFiled: count(conduct.falseReportsFiled),
                commentsHidden: count(conduct.commentsHidden)))
    }
}

extension CreditEdge {
    /// The same edge with every number inside `InputLimits`.
    var clamped: CreditEdge {
        CreditEdge(
            kind: kind, sourceUserID: sourceUserID, targetUserID: targetUserID, paymentCount: InputLimits.count(paymentCount),
            paymentVolume: .init(min(max(0, paymentVolume.rawValue), InputLimits.volumeMaximumFen)),
            lastPaymentDaysAgo: InputLimits.count(lastPaymentDaysAgo))
    }
}
