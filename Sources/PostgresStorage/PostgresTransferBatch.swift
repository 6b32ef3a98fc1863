import Core
import Ledger
import Logging
import PostgresNIO
import StorageModel

/// Applies a batch of top-ups, transfers and tips inside the caller's transaction, each checked
/// on its own in `LedgerError` order, like the SQLite `TransferWriter`.
///
/// Concurrency across nodes: the batch first locks every account it names with
/// `SELECT … FOR UPDATE`, in ascending id order, and only then reads idempotency keys and
/// writes. Two batches sharing an account therefore run one after the other; since each takes
/// all its locks before its first write, in one global order, no cycle of waits (deadlock) can
/// form. Under READ COMMITTED each statement sees what committed before it, so the key lookup
/// after the locks sees a twin request that another node committed while we waited.
///
/// Balances are checked in memory from the locked rows and written back once per account at
/// the end; the schema's CHECK still refuses a negative final balance. Each committed request's
/// event (`topup.committed`, `transfer.committed`, `tip.sent`) goes in the same transaction.
enum PostgresTransferBatch {
    static func apply(
        _ requests: [TransferRequest], limits: LedgerLimits, at now: Int64, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> [TransferResult] {
        var results: [TransferResult?] = requests.map { request in
            request.fieldError(limits: limits).map { TransferResult.rejected($0) }
        }
        let pending = requests.indices.filter { results[$0] == nil }
        guard !pending.isEmpty else { return results.map { $0! } }

        var balancesFen = try await PostgresLedgerPosting.lockAccounts(
            pending.flatMap { [requests[$0].debit, requests[$0].credit] }, on: connection, logger: logger)
        var earlier = try await earlierTransfers(
            pending.map { requests[$0] }, on: connection, logger: logger)
        var deltasFen: [AccountID: Int64] = [:]
        var events: [Event] = []

        for index in pending {
            let request = requests[index]
            guard let debitFen = balancesFen[request.debit], let creditFen = balancesFen[request.credit] else {
                results[index] = .rejected(.accountNotFound)
                continue
            }
            let key = IdempotencyKey(initiator: request.initiator.rawValue, key: request.idempotencyKey)
            if let (receipt, fingerprint) = earlier[key] {
                results[index] = fingerprint == request.fingerprint ? .replayed(receipt) : .rejected(.idempotencyKeyReused)
                continue
            }
            let mayGoNegative = request.debit.kind?.mayGoNegative ?? false
            if !mayGoNegative, debitFen < request.amountFen {
                results[index] = .rejected(.insufficientFunds)
                continue
            }
            let (debitAfterFen, debitOverflow) = debitFen.subtractingReportingOverflow(request.amountFen)
            let (creditAfterFen, creditOverflow) = creditFen.addingReportingOverflow(request.amountFen)
            if debitOverflow || creditOverflow {
                results[index] = .rejected(.exceedsLimit)
                continue
            }
            let receipt = try await PostgresLedgerPosting(
                kind: request.kind, debit: request.debit, credit: request.credit, amountFen: request.amountFen,
                initiator: request.initiator, idempotencyKey: request.idempotencyKey, fingerprint: request.fingerprint,
                postID: request.postID
            ).insert(at: now, on: connection, logger: logger)
            events.append(.committed(receipt, circleID: request.circleID))
            balancesFen[request.debit] = debitAfterFen
            balancesFen[request.credit] = creditAfterFen
            deltasFen[request.debit, default: 0] -= request.amountFen
            deltasFen[request.credit, default: 0] += request.amountFen
            earlier[key] = (receipt, request.fingerprint)
            results[index] = .committed(receipt)
        }
        try await PostgresLedgerPosting.moveBalances(deltasFen, on: connection, logger: logger)
        try await PostgresEventLog.append(events, on: connection, logger: logger)
        return results.map { $0! }
    }

    struct IdempotencyKey: Hashable {
        var initiator: Int64
        var key: String
    }

    /// The transfers already committed under the requests' idempotency keys, in one query.
    private static func earlierTransfers(
        _ requests: [TransferRequest], on connection: PostgresConnection, logger: Logger
    ) async throws -> [IdempotencyKey: (TransferReceipt, String)] {
        let initiators = requests.map(\.initiator.rawValue)
        let keys = requests.map(\.idempotencyKey)
        let rows = try await connection.query(
            """
            SELECT \(unescaped: PostgresLedgerRows.transferColumns) FROM ledger_transfers t
            JOIN unnest(\(initiators)::bigint[], \(keys)::text[]) AS k(initiator_id, key)
              ON t.initiator_id = k.initiator_id AND t.idempotency_key = k.key
            """, logger: logger)
        var found: [IdempotencyKey: (TransferReceipt, String)] = [:]
        for try await row in rows.decode(PostgresLedgerRows.TransferRow.self) {
            let (receipt, fingerprint) = try PostgresLedgerRows.receipt(from: row)
            guard let initiator = receipt.initiator, let key = receipt.idempotencyKey else { continue }
            found[IdempotencyKey(initiator: initiator.rawValue, key: key)] = (receipt, fingerprint ?? "")
        }
        return found
    }

}
