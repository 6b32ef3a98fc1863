import Core
import Ledger
import Logging
import PostgresNIO

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
/// the end; the schema's CHECK still refuses a negative final balance.
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

        let accountIDs = Set(pending.flatMap { [requests[$0].debit.rawValue, requests[$0].credit.rawValue] }).sorted()
        var balancesFen = try await lockAccounts(accountIDs, on: connection, logger: logger)
        var earlier = try await earlierTransfers(
            pending.map { requests[$0] }, on: connection, logger: logger)
        var deltasFen: [AccountID: Int64] = [:]

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
            let receipt = try await post(request, at: now, on: connection, logger: logger)
            balancesFen[request.debit] = debitAfterFen
            balancesFen[request.credit] = creditAfterFen
            deltasFen[request.debit, default: 0] -= request.amountFen
            deltasFen[request.credit, default: 0] += request.amountFen
            earlier[key] = (receipt, request.fingerprint)
            results[index] = .committed(receipt)
        }
        try await writeBalances(deltasFen, on: connection, logger: logger)
        return results.map { $0! }
    }

    struct IdempotencyKey: Hashable {
        var initiator: Int64
        var key: String
    }

    /// Locks the accounts (ascending ids: the order every batch uses) and returns their balances;
    /// an id that is missing is an account never opened.
    private static func lockAccounts(
        _ ids: [Int64], on connection: PostgresConnection, logger: Logger
    ) async throws -> [AccountID: Int64] {
        let rows = try await connection.query(
            "SELECT id, balance_fen FROM ledger_accounts WHERE id = ANY(\(ids)) ORDER BY id FOR UPDATE", logger: logger)
        var balancesFen: [AccountID: Int64] = [:]
        for try await (id, balanceFen) in rows.decode((Int64, Int64).self) {
            balancesFen[AccountID(rawValue: id)] = balanceFen
        }
        return balancesFen
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

    /// Writes the transfer row and its two entries (debit first) in one round trip.
    private static func post(
        _ request: TransferRequest, at now: Int64, on connection: PostgresConnection, logger: Logger
    ) async throws -> TransferReceipt {
        let rows = try await connection.query(
            """
            WITH t AS (
              INSERT INTO ledger_transfers (kind, debit_account_id, credit_account_id, amount_fen, initiator_id,
                idempotency_key, request_fingerprint, post_id, created_at)
              VALUES (\(request.kind.rawValue), \(request.debit.rawValue), \(request.credit.rawValue),
                \(request.amountFen), \(request.initiator.rawValue), \(request.idempotencyKey),
                \(request.fingerprint), \(request.postID), \(now))
              RETURNING id),
            e AS (
              INSERT INTO ledger_entries (transfer_id, account_id, amount_fen)
              SELECT id, \(request.debit.rawValue), \(-request.amountFen) FROM t
              UNION ALL SELECT id, \(request.credit.rawValue), \(request.amountFen) FROM t)
            SELECT id FROM t
            """, logger: logger)
        var transferID: Int64?
        for try await id in rows.decode(Int64.self) { transferID = id }
        guard let transferID else { throw PostgresLedgerRows.Corrupt(reason: "INSERT returned no transfer id") }
        return TransferReceipt(
            transferID: transferID, kind: request.kind, debit: request.debit, credit: request.credit,
            amountFen: request.amountFen, initiator: request.initiator, idempotencyKey: request.idempotencyKey,
            postID: request.postID, createdAt: now)
    }

    /// One UPDATE for every account the batch moved money on.
    private static func writeBalances(
        _ deltasFen: [AccountID: Int64], on connection: PostgresConnection, logger: Logger
    ) async throws {
        let changed = deltasFen.filter { $0.value != 0 }.sorted { $0.key < $1.key }
        guard !changed.isEmpty else { return }
        let ids = changed.map(\.key.rawValue)
        let deltas = changed.map(\.value)
        try await connection.query(
            """
            UPDATE ledger_accounts a SET balance_fen = a.balance_fen + d.delta_fen
            FROM unnest(\(ids)::bigint[], \(deltas)::bigint[]) AS d(id, delta_fen) WHERE a.id = d.id
            """, logger: logger)
    }
}
