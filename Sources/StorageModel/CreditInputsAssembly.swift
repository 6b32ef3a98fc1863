import Core
import Credit

/// Builds credit inputs from per-user counts and user rows, which each backend reads with its own
/// SQL (see Credit.CreditInputs for what each field means).
public enum CreditInputsAssembly {
    public static let day: Int64 = 86_400

    /// The counts the backends gather, by user id; each names one SQL aggregate.
    public enum Count: String, CaseIterable, Sendable {
        case activeDays, transfer, tip, redPacketCreate, topUp, claims, posts, hidden, upheld, falseReports, commentsHidden
    }

    /// The columns of `users` the inputs need.
    public struct UserColumns: Sendable {
        public var id: Int64
        public var createdAt: Int64
        public var verified: Bool
        public var verifiedAt: Int64?
        public var occupation: String
        public var school: String?
        public var employer: String?
        public var city: String?

        public init(
            id: Int64, createdAt: Int64, verified: Bool, verifiedAt: Int64?, occupation: String, school: String?,
            employer: String?, city: String?
        ) {
            self.id = id
            self.createdAt = createdAt
            self.verified = verified
            self.verifiedAt = verifiedAt
            self.occupation = occupation
            self.school = school
            self.employer = employer
            self.city = city
        }
    }

    /// Since when events count as active days, and posts and reports as conduct.
    public static func windows(now: Int64) -> (activeSince: Int64, conductSince: Int64) {
        (now - Int64(CreditWindows.activeDaysWindowDays) * day, now - Int64(CreditWindows.conductWindowDays) * day)
    }

    public static func inputs(users: [UserColumns], counts: [Int64: [Count: Int]], now: Int64) -> [UserID: CreditInputs] {
        var inputs: [UserID: CreditInputs] = [:]
        for user in users {
            let count = counts[user.id] ?? [:]
            func present(_ text: String?) -> Bool { text.map { !$0.isEmpty } ?? false }
            let identity = CreditIdentity(
                verifiedDaysAgo: user.verified ? user.verifiedAt.map { Int(max(0, now - $0) / day) } : nil,
                occupation: CreditIdentity.Occupation(rawValue: user.occupation) ?? .other,
                hasSchool: present(user.school), hasEmployer: present(user.employer), hasCity: present(user.city))
            inputs[UserID(user.id)] = CreditInputs(
                accountAgeDays: Int(max(0, now - user.createdAt) / day), identity: identity,
                history: CreditHistory(
                    activeDays: count[.activeDays] ?? 0, transfersSent: count[.transfer] ?? 0, tipsSent: count[.tip] ?? 0,
                    redPacketsSent: count[.redPacketCreate] ?? 0, redPacketsClaimed: count[.claims] ?? 0),
                // Refused payments leave no row (nothing moves), so they cannot be counted yet.
                payments: CreditPayments(topUps: count[.topUp] ?? 0, insufficientFundsFailures: 0),
                conduct: CreditConduct(
                    postsCreated: count[.posts] ?? 0, postsHidden: count[.hidden] ?? 0, reportsUpheld: count[.upheld] ?? 0,
                    falseReportsFiled: count[.falseReports] ?? 0, commentsHidden: count[.commentsHidden] ?? 0))
        }
        return inputs
    }

    /// A payments edge from one aggregated (payer, payee) row.
    public static func paymentsEdge(payer: Int64, payee: Int64, count: Int, volumeFen: Int64, lastAt: Int64, now: Int64) -> CreditEdge {
        .payments(from: UserID(payer), to: UserID(payee), count: count, volume: Fen(volumeFen), lastDaysAgo: Int(max(0, now - lastAt) / day))
    }
}
