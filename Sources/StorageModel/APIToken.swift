import Core

/// An API token as stored: whose it is and what role it carries. The token itself is never
/// stored, only its SHA-256 digest.
public struct APIToken: Sendable, Hashable {
    public let id: Int64
    public let userID: UserID
    /// Admin tokens may use the admin routes (experiments, top-ups) and the review queue.
    public let isAdmin: Bool
    /// Moderator tokens may use the review queue (`quanzi token USER --moderator`).
    public let isModerator: Bool
    public let createdAtEpochSeconds: Int64
    /// `nil` for a token that never expires (the default: `quanzi token USER` without `--ttl-days`).
    public let expiresAtEpochSeconds: Int64?

    public init(
        id: Int64, userID: UserID, isAdmin: Bool, isModerator: Bool = false, createdAtEpochSeconds: Int64, expiresAtEpochSeconds: Int64? = nil
    ) {
        self.id = id
        self.userID = userID
        self.isAdmin = isAdmin
        self.isModerator = isModerator
        self.createdAtEpochSeconds = createdAtEpochSeconds
        self.expiresAtEpochSeconds = expiresAtEpochSeconds
    }

    /// Whether the token may use the review queue: a moderator's or an admin's.
    public var mayModerate: Bool { isModerator || isAdmin }

    /// Whether the token no longer authenticates at `nowEpochSeconds` (its expiry is exclusive).
    public func isExpired(atEpochSeconds nowEpochSeconds: Int64) -> Bool {
        expiresAtEpochSeconds.map { nowEpochSeconds >= $0 } ?? false
    }

    /// What both stores refuse before writing a new token (their schemas refuse it too).
    public static func checkNew(digest: [UInt8], createdAt: Int64, expiresAt: Int64?) throws(QuanziError) {
        guard digest.count == digestByteCount else {
            throw QuanziError(.invalidArgument, "a token digest is \(digestByteCount) bytes, got \(digest.count)")
        }
        if let expiresAt, expiresAt <= createdAt {
            throw QuanziError(.invalidArgument, "a token must expire after it is issued (at \(createdAt)), not at \(expiresAt)")
        }
    }

    /// Bytes of a SHA-256 digest; both schemas check the same length.
    public static let digestByteCount = 32

    /// The lifetimes a token may be given, in days: at least one, at most about ten years (a
    /// bound keeps the expiry far from overflow whatever the clock says).
    public static let ttlDaysRange: ClosedRange<Int> = 1...3_650
}

/// Which tokens a revocation ends.
public enum TokenSelection: Sendable, Hashable {
    /// One token, by its row id (logging out ends the token the request came with).
    case id(Int64)
    /// One token, by the digest of its text (an operator holding a leaked token).
    case digest([UInt8])
    /// Every live token of a user (a lost phone, a departing employee).
    case user(UserID)
}
