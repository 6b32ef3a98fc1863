import Core

/// The rules of top-ups, transfers and tips, decided once for every backend (TigerBeetle keeps
/// its state machine apart from storage the same way).
///
/// A backend prefetches what a batch names (``accounts(for:)`` and ``idempotencyKeys(for:)``;
/// PostgreSQL locks the accounts first), hands the rows over as a ``TransferSnapshot``, and
/// writes the ``TransferBatchPlan`` that ``decide(_:snapshot:limits:)`` returns. The plan knows
/// no SQL and no ids: the database assigns transfer ids when it writes the postings.
///
/// Requests are checked in ``LedgerError`` order, each against the balances and keys left by the
/// requests before it in the batch, so a batch decides exactly what applying its requests one
/// at a time would.
public enum LedgerStateMachine {
    /// The accounts a batch must read (and, on PostgreSQL, lock), in ascending id order. The
    /// initiator's own account too: an admin's top-up names neither the admin's account nor any
    /// other that the admin's twin request (same key, another user) would lock, so two nodes
    /// deciding the same key must meet on it.
    public static func accounts(for requests: [TransferRequest], limits: LedgerLimits) -> [AccountID] {
        let named = requests.filter { $0.fieldError(limits: limits) == nil }.flatMap { [$0.debit, $0.credit, .user($0.initiator)] }
        return Set(named).sorted()
    }

    /// The idempotency keys a batch must look up.
    public static func idempotencyKeys(for requests: [TransferRequest], limits: LedgerLimits) -> [IdempotencyKey] {
        let keys = requests.filter { $0.fieldError(limits: limits) == nil }.map { IdempotencyKey(initiator: $0.initiator, key: $0.idempotencyKey) }
        return Array(Set(keys))
    }

    /// Decides every request of a batch.
    public static func decide(_ requests: [TransferRequest], snapshot: TransferSnapshot, limits: LedgerLimits) -> TransferBatchPlan {
        var balancesFen = snapshot.balancesFen
        var earlier: [IdempotencyKey: Earlier] = snapshot.earlier.mapValues { .committed($0) }
        var outcomes: [TransferBatchPlan.Outcome] = []
        var postings: [LedgerPosting] = []
        var posted: [TransferRequest] = []
        outcomes.reserveCapacity(requests.count)

        for request in requests {
            if let error = request.fieldError(limits: limits) {
                outcomes.append(.rejected(error))
                continue
            }
            guard let debitFen = balancesFen[request.debit], let creditFen = balancesFen[request.credit] else {
                outcomes.append(.rejected(.accountNotFound))
                continue
            }
            let key = IdempotencyKey(initiator: request.initiator, key: request.idempotencyKey)
            switch earlier[key] {
            case .committed(let transfer):
                outcomes.append(transfer.fingerprint == request.fingerprint ? .replayed(transfer.receipt) : .rejected(.idempotencyKeyReused))
                continue
            case .inThisBatch(let posting, let fingerprint):
                outcomes.append(fingerprint == request.fingerprint ? .replaysPosting(posting) : .rejected(.idempotencyKeyReused))
                continue
            case nil:
                break
            }
            let mayGoNegative = request.debit.kind?.mayGoNegative ?? false
            if !mayGoNegative, debitFen < request.amountFen {
                outcomes.append(.rejected(.insufficientFunds))
                continue
            }
            let (debitAfterFen, debitOverflow) = debitFen.subtractingReportingOverflow(request.amountFen)
            let (creditAfterFen, creditOverflow) = creditFen.addingReportingOverflow(request.amountFen)
            if debitOverflow || creditOverflow {
                outcomes.append(.rejected(.exceedsLimit))
                continue
            }
            balancesFen[request.debit] = debitAfterFen
            balancesFen[request.credit] = creditAfterFen
            earlier[key] = .inThisBatch(posting: postings.count, fingerprint: request.fingerprint)
            outcomes.append(.posts(postings.count))
            postings.append(LedgerPosting(request))
            posted.append(request)
        }
        return TransferBatchPlan(outcomes: outcomes, postings: postings, postedRequests: posted)
    }

    /// What a key stands for when a request of the batch comes to it.
    private enum Earlier {
        case committed(EarlierTransfer)
        /// An earlier request of this batch, by its place among the batch's postings.
        case inThisBatch(posting: Int, fingerprint: String)
    }
}

/// The rows a transfer batch is decided from.
public struct TransferSnapshot: Sendable, Hashable {
    /// The balances of the open accounts among those the batch names (a missing account is not open).
    public var balancesFen: [AccountID: Int64]
    /// The transfers already committed under the batch's keys.
    public var earlier: [IdempotencyKey: EarlierTransfer]

    public init(balancesFen: [AccountID: Int64], earlier: [IdempotencyKey: EarlierTransfer]) {
        self.balancesFen = balancesFen
        self.earlier = earlier
    }
}

/// A decided transfer batch: what to write, and each request's answer once written.
public struct TransferBatchPlan: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        /// Refused (moves nothing) or replayed from a transfer committed before the batch.
        case rejected(LedgerError)
        case replayed(TransferReceipt)
        /// Commits ``TransferBatchPlan/postings``[i].
        case posts(Int)
        /// Replays the posting an earlier request of this batch made with the same key.
        case replaysPosting(Int)
    }

    /// One per request, in request order.
    public let outcomes: [Outcome]
    /// What to write, in the order it was decided (transfer ids must follow it: the verifier
    /// replays entries by id).
    public let postings: [LedgerPosting]
    /// The request behind each posting.
    public let postedRequests: [TransferRequest]
    /// The balance change of every account the postings touch; sums to zero.
    public let deltas: BalanceDeltas

    init(outcomes: [Outcome], postings: [LedgerPosting], postedRequests: [TransferRequest]) {
        self.outcomes = outcomes
        self.postings = postings
        self.postedRequests = postedRequests
        deltas = BalanceDeltas(postings)
    }

    /// The receipts of the postings once written as transfers `transferIDs` (in posting order).
    public func receipts(transferIDs: [Int64], createdAt: Int64) -> [TransferReceipt] {
        precondition(transferIDs.count == postings.count, "a backend must write every posting of a plan")
        return zip(postings, transferIDs).map { $0.receipt(transferID: $1, createdAt: createdAt) }
    }

    /// Each request's answer, given the receipts of the postings.
    public func results(receipts: [TransferReceipt]) -> [TransferResult] {
        outcomes.map { outcome in
            switch outcome {
            case .rejected(let error): .rejected(error)
            case .replayed(let receipt): .replayed(receipt)
            case .posts(let index): .committed(receipts[index])
            case .replaysPosting(let index): .replayed(receipts[index])
            }
        }
    }

    /// The events of the committed postings (`topup.committed`, `transfer.committed`, `tip.sent`).
    public func events(receipts: [TransferReceipt]) -> [LedgerEvent] {
        zip(receipts, postedRequests).map { .transferCommitted($0, circleID: $1.circleID) }
    }
}
