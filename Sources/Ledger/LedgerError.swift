/// Why the ledger refused a request: a closed set of stable codes (clients switch on the raw
/// value). A refused request moves nothing and leaves no trace, so the same idempotency key may
/// be retried later (TigerBeetle does not consume the id of a failed transfer either).
///
/// The cases are declared in the order the checks run, so the first failing check names the
/// error: first the request's own fields, then the accounts, then the idempotency key, and only
/// then the balance, which is the one check whose answer changes over time.
public enum LedgerError: String, Error, Sendable, Hashable, Codable, CaseIterable {
    /// The idempotency key is empty or longer than `LedgerLimits.idempotencyKeyBytesMax`.
    case invalidIdempotencyKey = "invalid_idempotency_key"
    /// The amount (or a red packet's total) is zero or negative.
    case amountMustBePositive = "amount_must_be_positive"
    /// A red packet needs at least one share.
    case countMustBePositive = "count_must_be_positive"
    /// A red packet has more shares than fen: every share must be at least 1 fen.
    case countExceedsTotal = "count_exceeds_total"
    /// A red packet's listed audience is empty: nobody could claim it.
    case audienceEmpty = "audience_empty"
    /// Debit and credit are the same account.
    case sameAccount = "same_account"
    /// The request passes a named limit in ``LedgerLimits`` (amount, share count, audience size)
    /// or would overflow a 64-bit balance.
    case exceedsLimit = "exceeds_limit"
    /// An account the request names has not been opened.
    case accountNotFound = "account_not_found"
    /// The idempotency key was already used by this user for a different request.
    case idempotencyKeyReused = "idempotency_key_reused"
    /// The debit account holds less than the amount.
    case insufficientFunds = "insufficient_funds"
    /// No red packet has this id.
    case redPacketNotFound = "red_packet_not_found"
    /// The claimer is not in the red packet's audience.
    case notInAudience = "not_in_audience"
    /// The red packet's lifetime is over (its remainder is, or will be, refunded).
    case redPacketExpired = "red_packet_expired"
    /// Every share of the red packet has been claimed.
    case redPacketEmpty = "red_packet_empty"
    /// Opening an account for a user id that does not exist.
    case userNotFound = "user_not_found"

    /// The stable code, e.g. `insufficient_funds`.
    public var code: String { rawValue }

    /// A sentence for people; clients should switch on ``code``.
    public var message: String {
        switch self {
        case .invalidIdempotencyKey: "the idempotency key must be 1 to 128 bytes"
        case .amountMustBePositive: "the amount must be a positive number of fen"
        case .countMustBePositive: "a red packet needs at least one share"
        case .countExceedsTotal: "a red packet cannot have more shares than fen"
        case .audienceEmpty: "a red packet for listed users needs at least one user"
        case .sameAccount: "cannot transfer to the same account"
        case .exceedsLimit: "the request exceeds a limit"
        case .accountNotFound: "no such account"
        case .idempotencyKeyReused: "this idempotency key was used for a different request"
        case .insufficientFunds: "insufficient funds"
        case .redPacketNotFound: "no such red packet"
        case .notInAudience: "this red packet is not for you"
        case .redPacketExpired: "this red packet has expired"
        case .redPacketEmpty: "every share of this red packet has been claimed"
        case .userNotFound: "no such user"
        }
    }
}
