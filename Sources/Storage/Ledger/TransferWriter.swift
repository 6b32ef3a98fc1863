import Core
import GRDB
import Ledger

/// Applies one top-up, transfer or tip inside the caller's write transaction: every check in
/// ``LedgerError`` order, then the posting and its event. A refusal writes nothing.
enum TransferWriter {
    static func apply(_ request: TransferRequest, limits: LedgerLimits, at now: Int64, in db: Database) throws -> TransferResult {
        if let error = request.fieldError(limits: limits) { return .rejected(error) }
        guard let debitFen = try LedgerRows.balanceFen(of: request.debit, in: db),
            let creditFen = try LedgerRows.balanceFen(of: request.credit, in: db)
        else { return .rejected(.accountNotFound) }
        if let earlier = try LedgerRows.transfer(initiator: request.initiator, key: request.idempotencyKey, in: db) {
            return earlier.fingerprint == request.fingerprint ? .replayed(earlier.receipt) : .rejected(.idempotencyKeyReused)
        }
        let mayGoNegative = request.debit.kind?.mayGoNegative ?? false
        if !mayGoNegative, debitFen < request.amountFen { return .rejected(.insufficientFunds) }
        if debitFen.subtractingReportingOverflow(request.amountFen).overflow
            || creditFen.addingReportingOverflow(request.amountFen).overflow
        {
            return .rejected(.exceedsLimit)
        }
        let posting = LedgerPosting(
            kind: request.kind, debit: request.debit, credit: request.credit, amountFen: request.amountFen,
            initiator: request.initiator, idempotencyKey: request.idempotencyKey, fingerprint: request.fingerprint,
            postID: request.postID)
        let receipt = try posting.write(at: now, in: db)
        try EventLog.append(.committed(receipt, circleID: request.circleID), in: db)
        return .committed(receipt)
    }
}
