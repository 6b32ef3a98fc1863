import Core

/// Who may claim a red packet. Stored with the packet (`red_packets.audience_kind`, the circle id,
/// and the `red_packet_audience` rows for listed users).
public enum RedPacketAudience: Sendable, Hashable, Codable {
    /// The sender's friends.
    case friends
    /// Members of a circle.
    case circle(CircleID)
    /// Exactly these users.
    case users([UserID])

    /// The stored kind: `friends`, `circle` or `users`.
    public var kindName: String {
        switch self {
        case .friends: "friends"
        case .circle: "circle"
        case .users: "users"
        }
    }
}

/// Decides membership of the audiences the ledger cannot see: friendships and circles belong to
/// the social graph. The wallet checks a listed-users audience itself and asks this only for
/// ``RedPacketAudience/friends`` and ``RedPacketAudience/circle(_:)``.
public protocol RedPacketAudienceChecker: Sendable {
    /// Whether `claimer` belongs to `audience` of a packet sent by `sender`.
    func isMember(_ claimer: UserID, of audience: RedPacketAudience, sender: UserID) async -> Bool
}

/// The default checker: nobody is a friend or a circle member, so only listed-users packets can
/// be claimed. Failing closed keeps money in escrow (and refunded later) rather than letting
/// anyone claim when the wallet was built without the social graph.
public struct ListedUsersOnly: RedPacketAudienceChecker {
    public init() {}
    public func isMember(_ claimer: UserID, of audience: RedPacketAudience, sender: UserID) async -> Bool {
        if case .users(let users) = audience { return users.contains(claimer) }
        return false
    }
}

/// A checker from a closure, for callers (and tests) that have the social graph at hand.
public struct AudienceClosure: RedPacketAudienceChecker {
    private let body: @Sendable (UserID, RedPacketAudience, UserID) async -> Bool
    public init(_ body: @escaping @Sendable (_ claimer: UserID, _ audience: RedPacketAudience, _ sender: UserID) async -> Bool) {
        self.body = body
    }
    public func isMember(_ claimer: UserID, of audience: RedPacketAudience, sender: UserID) async -> Bool {
        await body(claimer, audience, sender)
    }
}
