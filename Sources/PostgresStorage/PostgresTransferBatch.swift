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
/// Every request is decided in memory from the locked rows, against the balances and keys of
/// the requests before it; then the postings go in one statement, the balances in one UPDATE
/// per batch and the events (`topup.committed`, `transfer.committed`, `tip.sent`) in one
/// INSERT: five round trips whatever the batch's size. The schema's CHECK still refuses a
/// negative final balance.
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

        // The initiator's account too: an admin's top-up names neither the admin's account nor any
        // other the admin's twin request (same key, another user) would lock.
        var balancesFen = try await PostgresLedgerPosting.lockAccounts(
            pending.flatMap { [requests[$0].debit, requests[$0].credit, .user(requests[$0].initiator)] }, on: connection, logger: logger)
        var earlier = try await earlierTransfers(pending.map { requests[$0] }, on: connection, logger: logger)
            .mapValues { Earlier.committed($0.0, fingerprint: $0.1) }
        var deltasFen: [AccountID: Int64] = [:]
        // Requests that post, in the order they were applied, and the requests that replay one of them.
        var posting: [Int] = []
        var replaying: [(request: Int, posting: Int)] = []

        for index in pending {
            let request = requests[index]
            guard let debitFen = balancesFen[request.debit], let creditFen = balancesFen[request.credit] else {
                results[index] = .rejected(.accountNotFound)
                continue
            }
            let key = IdempotencyKey(initiator: request.initiator.rawValue, key: request.idempotencyKey)
            switch earlier[key] {
            case .committed(let receipt, let fingerprint):
                results[index] = fingerprint == request.fingerprint ? .replayed(receipt) : .rejected(.idempotencyKeyReused)
                continue
            case .inThisBatch(let twin, let fingerprint):
                if fingerprint == request.fingerprint {
                    replaying.append((index, twin))
                } else {
                    results[index] = .rejected(.idempotencyKeyReused)
                }
                continue
            case nil:
                break
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
            balancesFen[request.debit] = debitAfterFen
            balancesFen[request.credit] = creditAfterFen
            deltasFen[request.debit, default: 0] -= request.amountFen
            deltasFen[request.credit, default: 0] += request.amountFen
            earlier[key] = .inThisBatch(posting: posting.count, fingerprint: request.fingerprint)
            posting.append(index)
        }

        let receipts = try await PostgresLedgerPosting.insert(posting.map { requests[$0] }, at: now, on: connection, logger: logger)
        for (index, receipt) in zip(posting, receipts) { results[index] = .committed(receipt) }
        for (index, twin) in replaying { results[index] = .replayed(receipts[twin]) }
        try await PostgresLedgerPosting.moveBalances(deltasFen, on: connection, logger: logger)
        let events = zip(posting, receipts).map { index, receipt in Event.committed(receipt, circleID: requests[index].circleID) }
        try await PostgresEventLog.append(events, on: connection, logger: logger)
        return results.map { $0! }
    }

    /// What an idempotency key already stands for when a request of the batch comes to it.
    private enum Earlier {
        /// A transfer committed before this batch (here or on another node).
        case committed(TransferReceipt, fingerprint: String)
        /// An earlier request of this batch, by its place among the batch's postings.
        case inThisBatch(posting: Int, fingerprint: String)
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
