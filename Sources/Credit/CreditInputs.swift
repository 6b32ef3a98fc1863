/// Everything about one user that the score reads, except the graph (see `CreditEdge`).
///
/// Storage fills this from SQLite; every count is a plain number so the queries stay simple.
/// Negative counts are read as zero and absurd ones are capped (see `InputLimits`). Windows are
/// named in `CreditWindows`.
public struct CreditInputs: Sendable, Hashable, Codable {
    /// Whole days since the account was created.
    public var accountAgeDays: Int
    /// Who the user is: verification and the attributes they declared.
    public var identity: CreditIdentity
    /// What the user has done with the wallet.
    public var history: CreditHistory
    /// How the user pays: top-ups and refused payments.
    public var payments: CreditPayments
    /// How the user behaves in circles: posts and moderation outcomes.
    public var conduct: CreditConduct

    public init(
        accountAgeDays: Int, identity: CreditIdentity = CreditIdentity(), history: CreditHistory = CreditHistory(),
        payments: CreditPayments = CreditPayments(), conduct: CreditConduct = CreditConduct()
    ) {
        self.accountAgeDays = accountAgeDays
        self.identity = identity
        self.history = history
        self.payments = payments
        self.conduct = conduct
    }
}

/// Identity traits (身份特质): real-name verification and the stable facts a user declared.
public struct CreditIdentity: Sendable, Hashable, Codable {
    /// The occupation classes the product records (same raw values as the `users.occupation` column).
    public enum Occupation: String, Sendable, Hashable, Codable, CaseIterable {
        case student
        case officeWorker = "office_worker"
        case other
    }

    /// Whole days since real-name verification (实名认证); `nil` when the user is not verified.
    public var verifiedDaysAgo: Int?
    public var occupation: Occupation
    /// Whether the profile names a school.
    public var hasSchool: Bool
    /// Whether the profile names an employer.
    public var hasEmployer: Bool
    /// Whether the profile names a city (a stable address, in Sesame's terms).
    public var hasCity: Bool

    /// Whether the account is tied to a national identity.
    public var isRealNameVerified: Bool { verifiedDaysAgo != nil }

    public init(
        verifiedDaysAgo: Int? = nil, occupation: Occupation = .other, hasSchool: Bool = false, hasEmployer: Bool = false,
        hasCity: Bool = false
    ) {
        self.verifiedDaysAgo = verifiedDaysAgo
        self.occupation = occupation
        self.hasSchool = hasSchool
        self.hasEmployer = hasEmployer
        self.hasCity = hasCity
    }
}

/// Credit history (信用历史). We have no loans to repay, so history is the life of the wallet.
public struct CreditHistory: Sendable, Hashable, Codable {
    /// Distinct days with any action (payment, post, comment, like) in the last
    /// `CreditWindows.activeDaysWindowDays` days.
    public var activeDays: Int
    /// Committed user-to-user transfers sent, lifetime.
    public var transfersSent: Int
    /// Committed tips sent, lifetime.
    public var tipsSent: Int
    /// Red packets created, lifetime.
    public var redPacketsSent: Int
    /// Red-packet shares claimed, lifetime.
    public var redPacketsClaimed: Int

    /// Every wallet action that involved another user (on clamped inputs: cannot overflow).
    var walletActions: Int { transfersSent + tipsSent + redPacketsSent + redPacketsClaimed }

    /// Payments the user made to other users: transfers, tips, red packets (on clamped inputs).
    var paymentsSent: Int { transfersSent + tipsSent + redPacketsSent }

    public init(activeDays: Int = 0, transfersSent: Int = 0, tipsSent: Int = 0, redPacketsSent: Int = 0, redPacketsClaimed: Int = 0) {
        self.activeDays = activeDays
        self.transfersSent = transfersSent
        self.tipsSent = tipsSent
        self.redPacketsSent = redPacketsSent
        self.redPacketsClaimed = redPacketsClaimed
    }
}

/// Payment behaviour (行为偏好 and, with no income data, the nearest we have to 履约能力).
public struct CreditPayments: Sendable, Hashable, Codable {
    /// Committed top-ups from the user's own bank card, lifetime: money from outside the system.
    public var topUps: Int
    /// Payments refused with `insufficient_funds` in the last `CreditWindows.paymentFailuresWindowDays` days.
    public var insufficientFundsFailures: Int

    public init(topUps: Int = 0, insufficientFundsFailures: Int = 0) {
        self.topUps = topUps
        self.insufficientFundsFailures = insufficientFundsFailures
    }
}

/// Conduct in circles, all over the last `CreditWindows.conductWindowDays` days.
public struct CreditConduct: Sendable, Hashable, Codable {
    /// Posts the user created.
    public var postsCreated: Int
    /// Of those, posts hidden by moderation (keywords or reports) and not restored by a reviewer.
    public var postsHidden: Int
    /// Reports against the user's posts that moderation upheld (the post was hidden or removed).
    public var reportsUpheld: Int
    /// Reports the user filed that a reviewer rejected (the post was restored).
    public var falseReportsFiled: Int
    /// Comments the user wrote that moderation held and did not approve (waiting or removed).
    public var commentsHidden: Int

    /// Posts that stayed up (on clamped inputs).
    var postsVisible: Int { max(0, postsCreated - postsHidden) }

    public init(postsCreated: Int = 0, postsHidden: Int = 0, reportsUpheld: Int = 0, falseReportsFiled: Int = 0, commentsHidden: Int = 0) {
        self.postsCreated = postsCreated
        self.postsHidden = postsHidden
        self.reportsUpheld = reportsUpheld
        self.falseReportsFiled = falseReportsFiled
        self.commentsHidden = commentsHidden
    }
}
