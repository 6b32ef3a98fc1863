import Core

/// An account in the ledger. A user's account has the user's id; the system accounts have fixed
/// negative ids, so no lookup is needed to go from a user to an account and the two ranges can
/// never collide.
public struct AccountID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// The account of a user (same number as the user id).
    public static func user(_ user: UserID) -> AccountID { AccountID(rawValue: user.rawValue) }

    /// Where top-ups come from: the outside world. The only account allowed below zero; minus its
    /// balance is the money held inside the system.
    public static let external = AccountID(rawValue: -1)

    /// Holds the money of red packets between creation and claim or refund.
    public static let redPacketEscrow = AccountID(rawValue: -2)

    /// The system accounts, created by the ledger migration.
    public static let system: [AccountID] = [.external, .redPacketEscrow]

    /// What the account is for; `nil` for a number that is neither a user nor a system account.
    public var kind: AccountKind? {
        if rawValue > 0 { return .user }
        switch self {
        case .external: return .external
        case .redPacketEscrow: return .escrow
        default: return nil
        }
    }

    /// The owning user, for a user account.
    public var userID: UserID? { rawValue > 0 ? UserID(rawValue) : nil }

    public var description: String {
        switch kind {
        case .user: "user:\(rawValue)"
        case .external: "external"
        case .escrow: "red-packet-escrow"
        case nil: "account:\(rawValue)"
        }
    }

    public static func < (lhs: AccountID, rhs: AccountID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The kinds of account; stored as text in `ledger_accounts.kind`.
public enum AccountKind: String, Sendable, Hashable, Codable, CaseIterable {
    case user
    case external
    case escrow

    /// Only the external account mirrors money outside the system, so only it may go negative.
    public var mayGoNegative: Bool { self == .external }
}
