import Core

/// A request to move money between two accounts: a top-up, a transfer or a tip. Build one with
/// ``topUp(_:by:amountFen:idempotencyKey:)``, ``transfer(from:to:amountFen:idempotencyKey:)`` or
/// ``tip(from:to:postID:circleID:amountFen:idempotencyKey:)``; red-packet movements are made by
/// the wallet itself.
public struct TransferRequest: Sendable, Hashable, Codable {
    public let kind: TransferKind
    /// The account the money leaves.
    public let debit: AccountID
    /// The account the money enters.
    public let credit: AccountID
    public let amountFen: Int64
    /// Whose request this is; idempotency keys are unique per initiator, so two clients cannot
    /// collide on (or probe) each other's keys.
    public let initiator: UserID
    public let idempotencyKey: String
    /// The tipped post (tips only).
    public let postID: Int64?
    /// The circle of the tipped post, recorded on the `tip.sent` event for per-circle metrics.
    public let circleID: CircleID?

    /// Money entering the system into `user`'s account (from a bank card, say). `admin` is who
    /// asked for it: the key is the admin's, so it replays (or conflicts) whichever user a retry
    /// names and never meets a key of the credited user. Without one (seeding, load tests) the
    /// system tops up in the user's own key space.
    public static func topUp(_ user: UserID, by admin: UserID? = nil, amountFen: Int64, idempotencyKey: String) -> TransferRequest {
        TransferRequest(
            kind: .topUp, debit: .external, credit: .user(user), amountFen: amountFen, initiator: admin ?? user,
            idempotencyKey: idempotencyKey, postID: nil, circleID: nil)
    }

    /// Money from one user to another.
    public static func transfer(from: UserID, to: UserID, amountFen: Int64, idempotencyKey: String) -> TransferRequest {
        TransferRequest(
            kind: .transfer, debit: .user(from), credit: .user(to), amountFen: amountFen, initiator: from,
            idempotencyKey: idempotencyKey, postID: nil, circleID: nil)
    }

    /// A tip from a reader to a post's author. The post is not checked here: the caller has
    /// already run the circle's `tip` rule on it.
    public static func tip(
        from: UserID, to author: UserID, postID: Int64, circleID: CircleID? = nil, amountFen: Int64,
        idempotencyKey: String
    ) -> TransferRequest {
        TransferRequest(
            kind: .tip, debit: .user(from), credit: .user(author), amountFen: amountFen, initiator: from,
            idempotencyKey: idempotencyKey, postID: postID, circleID: circleID)
    }

    /// The checks that need no database, in ``LedgerError`` order; `nil` when they all pass.
    public func fieldError(limits: LedgerLimits) -> LedgerError? {
        if !LedgerLimits.isWellFormed(idempotencyKey: idempotencyKey) { return .invalidIdempotencyKey }
        if amountFen <= 0 { return .amountMustBePositive }
        if debit == credit { return .sameAccount }
        let amountMaxFen = kind == .topUp ? limits.topUpAmountMaxFen : limits.transferAmountMaxFen
        if amountFen > amountMaxFen { return .exceedsLimit }
        return nil
    }

    /// Everything that makes two requests "the same" for idempotency, as stable text: a key
    /// replayed with a different fingerprint is ``LedgerError/idempotencyKeyReused``.
    public var fingerprint: String {
        var text = "\(kind.rawValue) \(debit.rawValue)>\(credit.rawValue) \(amountFen)"
        if let postID { text += " post=\(postID)" }
        if let circleID { text += " circle=\(circleID.rawValue)" }
        return text
    }
}

/// What a committed transfer was; the original receipt is what an idempotent replay returns.
public struct TransferReceipt: Sendable, Hashable, Codable {
    public let transferID: Int64
    public let kind: TransferKind
    public let debit: AccountID
    public let credit: AccountID
    public let amountFen: Int64
    /// `nil` for the wallet's own movements (red-packet claims and refunds).
    public let initiator: UserID?
    public let idempotencyKey: String?
    public let postID: Int64?
    /// Seconds since the Unix epoch.
    public let createdAt: Int64

    public init(
        transferID: Int64, kind: TransferKind, debit: AccountID, credit: AccountID, amountFen: Int64,
        initiator: UserID?, idempotencyKey: String?, postID: Int64?, createdAt: Int64
    ) {
        self.transferID = transferID
        self.kind = kind
        self.debit = debit
        self.credit = credit
        self.amountFen = amountFen
        self.initiator = initiator
        self.idempotencyKey = idempotencyKey
        self.postID = postID
        self.createdAt = createdAt
    }
}
