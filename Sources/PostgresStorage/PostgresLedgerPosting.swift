import Core
import Ledger
import Logging
import PostgresNIO

/// Writes what the state machines decided, on PostgreSQL (SQLiteStorage's `LedgerWrites`). Callers
/// hold the row locks of every account a posting names; the schema's CHECKs are the second line
/// of defence.
enum PostgresLedgerPosting {
    /// Inserts one posting's transfer and its entries (debit first) in one round trip; returns
    /// the transfer id. Balances move apart (``moveBalances(_:on:logger:)``).
    static func insert(_ posting: LedgerPosting, at now: Int64, on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let ids = try await connection.values(
            """
            WITH t AS (
              INSERT INTO ledger_transfers (kind, debit_account_id, credit_account_id, amount_fen, initiator_id,
                idempotency_key, request_fingerprint, post_id, created_at)
              VALUES (\(posting.kind.rawValue), \(posting.debit.rawValue), \(posting.credit.rawValue), \(posting.amountFen),
                \(posting.initiator?.rawValue), \(posting.idempotencyKey), \(posting.fingerprint), \(posting.postID), \(now))
              RETURNING id),
            e AS (
              INSERT INTO ledger_entries (transfer_id, account_id, amount_fen)
              SELECT id, \(posting.debit.rawValue), \(-posting.amountFen) FROM t
              UNION ALL SELECT id, \(posting.credit.rawValue), \(posting.amountFen) FROM t)
            SELECT id FROM t
            """, as: Int64.self, logger: logger)
        guard let transferID = ids.first else { throw PostgresLedgerRows.Corrupt(reason: "INSERT returned no transfer id") }
        return transferID
    }

    /// One UPDATE for every account whose balance changes.
    static func moveBalances(_ deltas: BalanceDeltas, on connection: PostgresConnection, logger: Logger) async throws {
        guard let query = moveBalancesQuery(deltas) else { return }
        try await connection.query(query, logger: logger)
    }

    /// The UPDATE of ``moveBalances(_:on:logger:)``; `nil` when no balance changes.
    static func moveBalancesQuery(_ deltas: BalanceDeltas) -> PostgresQuery? {
        let changed = deltas.sorted
        guard !changed.isEmpty else { return nil }
        return """
            UPDATE ledger_accounts a SET balance_fen = a.balance_fen + d.delta_fen
            FROM unnest(\(changed.map(\.account.rawValue))::bigint[], \(changed.map(\.deltaFen))::bigint[]) AS d(id, delta_fen)
            WHERE a.id = d.id
            """
    }

    /// Locks the accounts (ascending ids: the order every transaction uses, so no two can wait
    /// on each other in a cycle) and returns the balances of those that exist.
    static func lockAccounts(_ ids: [AccountID], lock: Bool = true, on connection: PostgresConnection, logger: Logger) async throws
        -> [AccountID: Int64]
    {
        balances(from: try await connection.rows(lockAccountsQuery(ids, lock: lock), as: (Int64, Int64).self, logger: logger))
    }

    /// The SELECT of ``lockAccounts(_:lock:on:logger:)``.
    static func lockAccountsQuery(_ ids: [AccountID], lock: Bool = true) -> PostgresQuery {
        let sorted = Set(ids.map(\.rawValue)).sorted()
        return "SELECT id, balance_fen FROM ledger_accounts WHERE id = ANY(\(sorted)) ORDER BY id\(unescaped: lock ? " FOR UPDATE" : "")"
    }

    /// Balances by account from the rows of ``lockAccountsQuery(_:lock:)``.
    static func balances(from rows: [(Int64, Int64)]) -> [AccountID: Int64] {
        var balancesFen: [AccountID: Int64] = [:]
        for (id, balanceFen) in rows { balancesFen[AccountID(rawValue: id)] = balanceFen }
        return balancesFen
    }

    /// The transfer an initiator made with `key`, with the fingerprint of its request.
    static func transfer(initiator: UserID, key: String, on connection: PostgresConnection, logger: Logger) async throws
        -> EarlierTransfer?
    {
        let rows = try await connection.rows(
            """
            SELECT \(unescaped: PostgresLedgerRows.transferColumns) FROM ledger_transfers t
            WHERE t.initiator_id = \(initiator.rawValue) AND t.idempotency_key = \(key)
            """, as: PostgresLedgerRows.TransferRow.self, logger: logger)
        guard let row = rows.first else { return nil }
        let (receipt, fingerprint) = try PostgresLedgerRows.receipt(from: row)
        return EarlierTransfer(receipt: receipt, fingerprint: fingerprint ?? "")
    }
}

extension PostgresLedgerPosting {
    /// The SELECT of the transfers already committed under `keys`, in one query; `nil` for no keys.
    static func earlierTransfersQuery(_ keys: [IdempotencyKey]) -> PostgresQuery? {
        guard !keys.isEmpty else { return nil }
        return """
            SELECT \(unescaped: PostgresLedgerRows.transferColumns) FROM ledger_transfers t
            JOIN unnest(\(keys.map(\.initiator.rawValue))::bigint[], \(keys.map(\.key))::text[]) AS k(initiator_id, key)
              ON t.initiator_id = k.initiator_id AND t.idempotency_key = k.key
            """
    }

    /// Earlier transfers by key from the rows of ``earlierTransfersQuery(_:)``.
    static func earlierTransfers(from rows: [PostgresLedgerRows.TransferRow]) throws -> [IdempotencyKey: EarlierTransfer] {
        var found: [IdempotencyKey: EarlierTransfer] = [:]
        for row in rows {
            let (receipt, fingerprint) = try PostgresLedgerRows.receipt(from: row)
            guard let initiator = receipt.initiator, let key = receipt.idempotencyKey else { continue }
            found[IdempotencyKey(initiator: initiator, key: key)] = EarlierTransfer(receipt: receipt, fingerprint: fingerprint ?? "")
        }
        return found
    }
}
