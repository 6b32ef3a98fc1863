/// The closed set of reason codes. The strings are stable: clients, the CLI and Lua switch on them.
public enum CreditReasonCode: String, Sendable, Hashable, Codable, CaseIterable {
    // Identity
    case identityRealNameVerified = "identity.real_name_verified"
    case identityNotVerified = "identity.not_verified"
    case identityVerifiedTenure = "identity.verified_tenure"
    case identityOccupation = "identity.occupation"
    case identityInstitution = "identity.institution"
    case identityCity = "identity.city"
    // History
    case historyAccountAge = "history.account_age"
    case historyActiveDays = "history.active_days"
    case historyWalletActivity = "history.wallet_activity"
    case historyUnvettedCounterparties = "history.unvetted_counterparties"
    // Payment behaviour
    case paymentTopUps = "payment.top_ups"
    case paymentCompleted = "payment.payments_completed"
    case paymentReliability = "payment.reliability"
    case paymentInsufficientFunds = "payment.insufficient_funds"
    case paymentUnvettedCounterparties = "payment.unvetted_counterparties"
    // Conduct
    case conductCleanRecord = "conduct.clean_record"
    case conductBaseline = "conduct.baseline"
    case conductPostsVisible = "conduct.posts_visible"
    case conductPostsHidden = "conduct.posts_hidden"
    case conductReportsUpheld = "conduct.reports_upheld"
    case conductFalseReports = "conduct.false_reports"
    case conductCommentsHidden = "conduct.comments_hidden"
    // Connections
    case connectionsTrustedNetwork = "connections.trusted_network"
    case connectionsUnvettedNetwork = "connections.unvetted_network"
    case connectionsNone = "connections.no_connections"

    /// The dimension the code belongs to (its prefix).
    public var dimension: CreditDimension {
        switch rawValue.prefix(while: { $0 != "." }) {
        case "identity": .identity
        case "history": .history
        case "payment": .paymentBehaviour
        case "conduct": .conduct
        default: .connections
        }
    }
}
