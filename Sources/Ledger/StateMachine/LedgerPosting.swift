import Core

/// One movement of money as the state machines decide it: a transfer row and its two entries
/// (debit first). It knows no storage: a backend writes it and hands back the transfer id the
/// database assigned, from which ``receipt(transferID:createdAt:)`` makes the receipt.
public struct LedgerPosting: Sendable, Hashable {
    public var kind: TransferKind
    public var debit: AccountID
    public var credit: AccountID
    public var amountFen: Int64
    /// `nil` with `idempotencyKey` and `fingerprint` for the wallet's own movements (red-packet
    /// claims and refunds).
    public var initiator: UserID?
    public var idempotencyKey: String?
    public var fingerprint: String?
    public var postID: Int64?

    public init(
        kind: TransferKind, debit: AccountID, credit: AccountID, amountFen: Int64, initiator: UserID? = nil,
        idempotencyKey: String? = nil, fingerprint: String? = nil, postID: Int64? = nil
    ) {
        self.kind = kind
        self.debit = debit
        self.credit = credit
        self.amountFen = amountFen
        self.initiator = initiator
        self.idempotencyKey = idempotencyKey
        self.fingerprint = fingerprint
        self.postID = postID
    }

    /// The posting of a top-up, transfer or tip request.
    public init(_ request: TransferRequest) {
        self.init(
            kind: request.kind, debit: request.debit, credit: request.credit, amountFen: request.amountFen,
            initiator: request.initiator, idempotencyKey: request.idempotencyKey, fingerprint: request.fingerprint,
            postID: request.postID)
    }

    /// The receipt of this posting once stored as transfer `transferID`.
    public func receipt(transferID: Int64, createdAt: Int64) -> TransferReceipt {
        TransferReceipt(
            transferID: transferID, kind: kind, debit: debit, credit: credit, amountFen: amountFen, initiator: initiator,
            idempotencyKey: idempotencyKey, postID: postID, createdAt: createdAt)
    }
}

/// The balance changes of a set of postings, per account. Built only from postings, so every
/// set sums to zero by construction; ``init(_:)`` checks it anyway (TigerBeetle asserts the
/// same of every batch), and refuses to build deltas whose sums would overflow.
public struct BalanceDeltas: Sendable, Hashable {
    public private(set) var fenByAccount: [AccountID: Int64] = [:]

    public init(_ postings: [LedgerPosting]) {
        for posting in postings {
            fenByAccount[posting.debit, default: 0] = Self.checkedSum(fenByAccount[posting.debit, default: 0], -posting.amountFen)
            fenByAccount[posting.credit, default: 0] = Self.checkedSum(fenByAccount[posting.credit, default: 0], posting.amountFen)
        }
        fenByAccount = fenByAccount.filter { $0.value != 0 }
        var total: Int64 = 0
        for delta in fenByAccount.values { total = Self.checkedSum(total, delta) }
        precondition(total == 0, "a ledger batch must sum to zero; it sums to \(total) fen")
    }

    /// The changed accounts in ascending id order (the order every backend locks and writes them in).
    public var sorted: [(account: AccountID, deltaFen: Int64)] {
        fenByAccount.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Amounts are bounded by ``LedgerLimits`` and balances by the checks before a posting is
    /// made, so an overflow here is a broken invariant, not a refusal.
    private static func checkedSum(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        precondition(!overflow, "a ledger batch's balance deltas overflow")
        return sum
    }
}

/// What an initiator's idempotency key already names: a committed transfer and the fingerprint
/// of the request that made it.
public struct EarlierTransfer: Sendable, Hashable {
    public var receipt: TransferReceipt
    public var fingerprint: String

    public init(receipt: TransferReceipt, fingerprint: String) {
        self.receipt = receipt
        self.fingerprint = fingerprint
    }
}

/// An idempotency key in its initiator's key space.
public struct IdempotencyKey: Sendable, Hashable {
    public var initiator: UserID
    public var key: String

    public init(initiator: UserID, key: String) {
        self.initiator = initiator
        self.key = key
    }
}
