/// The outcome of a money operation. Storage failures are thrown instead: they mean "not
/// committed, retry with the same idempotency key", which is a different thing from a refusal.
public enum LedgerResult<Receipt: Sendable & Hashable>: Sendable, Hashable {
    /// The operation was applied; when the caller sees this, it is durable.
    case committed(Receipt)
    /// The same request was already applied: this is its original receipt, and nothing moved now.
    case replayed(Receipt)
    /// The operation was refused and changed nothing.
    case rejected(LedgerError)

    /// The receipt of a committed or replayed operation.
    public var receipt: Receipt? {
        switch self {
        case .committed(let receipt), .replayed(let receipt): receipt
        case .rejected: nil
        }
    }

    /// The refusal, if any.
    public var error: LedgerError? {
        if case .rejected(let error) = self { return error }
        return nil
    }

    /// `ok`, `replayed`, or the error's stable code.
    public var code: String {
        switch self {
        case .committed: "ok"
        case .replayed: "replayed"
        case .rejected(let error): error.code
        }
    }
}

/// The outcome of a transfer, tip or top-up.
public typealias TransferResult = LedgerResult<TransferReceipt>
