import Core

/// A red packet's id.
public struct RedPacketID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
    public static func < (lhs: RedPacketID, rhs: RedPacketID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A request to send a red packet: `totalFen` leaves the sender for escrow at once and is split
/// into `shareCount` shares fixed now.
public struct RedPacketRequest: Sendable, Hashable, Codable {
    public var sender: UserID
    public var split: RedPacketSplit
    public var totalFen: Int64
    public var shareCount: Int
    public var audience: RedPacketAudience
    public var idempotencyKey: String
    /// The seed of the share draw; `nil` draws a fresh one. Given explicitly by simulations and
    /// tests that want reproducible shares. Part of the idempotency fingerprint only when given,
    /// so a retry without a seed replays rather than conflicts.
    public var seed: UInt64?

    public init(
        sender: UserID, split: RedPacketSplit, totalFen: Int64, shareCount: Int, audience: RedPacketAudience,
        idempotencyKey: String, seed: UInt64? = nil
    ) {
        self.sender = sender
        self.split = split
        self.totalFen = totalFen
        self.shareCount = shareCount
        self.audience = audience
        self.idempotencyKey = idempotencyKey
        self.seed = seed
    }

    /// The checks that need no database, in ``LedgerError`` order; `nil` when they all pass.
    public func fieldError(limits: LedgerLimits) -> LedgerError? {
        if !LedgerLimits.isWellFormed(idempotencyKey: idempotencyKey) { return .invalidIdempotencyKey }
        if totalFen <= 0 { return .amountMustBePositive }
        if shareCount <= 0 { return .countMustBePositive }
        if Int64(shareCount) > totalFen { return .countExceedsTotal }
        if case .users(let users) = audience, users.isEmpty { return .audienceEmpty }
        if totalFen > limits.redPacketTotalMaxFen || shareCount > limits.redPacketShareCountMax {
            return .exceedsLimit
        }
        if case .users(let users) = audience, Set(users).count > limits.redPacketAudienceUsersMax {
            return .exceedsLimit
        }
        return nil
    }

    /// Stable text of everything that makes two requests the same (see ``TransferRequest/fingerprint``).
    public var fingerprint: String {
        var text = "redpacket \(sender.rawValue) \(split.rawValue) \(totalFen)/\(shareCount) \(audience.kindName)"
        switch audience {
        case .friends: break
        case .circle(let circle): text += "=\(circle.rawValue)"
        case .users(let users): text += "=" + Set(users).sorted().map(\.description).joined(separator: ",")
        }
        if let seed { text += " seed=\(seed)" }
        return text
    }
}

/// A created red packet.
public struct RedPacketReceipt: Sendable, Hashable, Codable {
    public let id: RedPacketID
    public let sender: UserID
    public let split: RedPacketSplit
    public let totalFen: Int64
    public let shareCount: Int
    public let audience: RedPacketAudience
    public let seed: UInt64
    /// The transfer that moved the total into escrow.
    public let fundTransferID: Int64
    /// Seconds since the Unix epoch.
    public let createdAt: Int64
    /// Claims are refused from this second on; the remainder is then refunded.
    public let expiresAt: Int64

    public init(
        id: RedPacketID, sender: UserID, split: RedPacketSplit, totalFen: Int64, shareCount: Int,
        audience: RedPacketAudience, seed: UInt64, fundTransferID: Int64, createdAt: Int64, expiresAt: Int64
    ) {
        self.id = id
        self.sender = sender
        self.split = split
        self.totalFen = totalFen
        self.shareCount = shareCount
        self.audience = audience
        self.seed = seed
        self.fundTransferID = fundTransferID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// One claimed share.
public struct RedPacketClaim: Sendable, Hashable, Codable {
    public let redPacketID: RedPacketID
    public let claimer: UserID
    /// Shares are handed out in drawing order: the first claimer gets share 0.
    public let shareIndex: Int
    public let amountFen: Int64
    public let transferID: Int64
    public let claimedAt: Int64

    public init(redPacketID: RedPacketID, claimer: UserID, shareIndex: Int, amountFen: Int64, transferID: Int64, claimedAt: Int64) {
        self.redPacketID = redPacketID
        self.claimer = claimer
        self.shareIndex = shareIndex
        self.amountFen = amountFen
        self.transferID = transferID
        self.claimedAt = claimedAt
    }
}

/// The remainder of an expired red packet, returned to its sender.
public struct RedPacketRefund: Sendable, Hashable, Codable {
    public let redPacketID: RedPacketID
    public let sender: UserID
    public let amountFen: Int64
    public let transferID: Int64

    public init(redPacketID: RedPacketID, sender: UserID, amountFen: Int64, transferID: Int64) {
        self.redPacketID = redPacketID
        self.sender = sender
        self.amountFen = amountFen
        self.transferID = transferID
    }
}

/// The outcome of creating a red packet.
public typealias RedPacketResult = LedgerResult<RedPacketReceipt>
/// The outcome of claiming a share; a second claim by the same user replays the first.
public typealias ClaimResult = LedgerResult<RedPacketClaim>
