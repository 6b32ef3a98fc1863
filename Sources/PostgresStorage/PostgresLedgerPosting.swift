import Core
import Ledger
import Logging
import PostgresNIO

/// One movement of money as written on PostgreSQL: the transfer row and its two entries, in one
/// round trip (Storage's `LedgerPosting`). Balances move separately (``moveBalances``), so a
/// batch writes each account once. Callers hold the row locks of both accounts and have checked
/// everything first; the schema's CHECKs are the second line of defence.
struct PostgresLedgerPosting: Sendable {
    var kind: TransferKind
    var debit: AccountID
    var credit: AccountID
    var amountFen: Int64
    /// `nil` with `idempotencyKey` and `fingerprint` for the wallet's own movements.
    var initiator: UserID?
    var idempotencyKey: String?
    var fingerprint: String?
    var postID: Int64?

    /// Inserts the transfer and its entries (debit first) and returns the receipt.
    func insert(at now: Int64, on connection: PostgresConnection, logger: Logger) async throws -> TransferReceipt {
        let ids = try await connection.values(
            """
            WITH t AS (
              INSERT INTO ledger_transfers (kind, debit_account_id, credit_account_id, amount_fen, initiator_id,
                idempotency_key, request_fingerprint, post_id, created_at)
              VALUES (\(kind.rawValue), \(debit.rawValue), \(credit.rawValue), \(amountFen), \(initiator?.rawValue),
                \(idempotencyKey), \(fingerprint), \(postID), \(now))
              RETURNING id),
            e AS (
              INSERT INTO ledger_entries (transfer_id, account_id, amount_fen)
              SELECT id, \(debit.rawValue), \(-amountFen) FROM t
              UNION ALL SELECT id, \(credit.rawValue), \(amountFen) FROM t)
            SELECT id FROM t
            """, as: Int64.self, logger: logger)
        guard let transferID = ids.first else { throw PostgresLedgerRows.Corrupt(reason: "INSERT returned no transfer id") }
        return TransferReceipt(
            transferID: transferID, kind: kind, debit: debit, credit: credit, amountFen: amountFen, initiator: initiator,
            idempotencyKey: idempotencyKey, postID: postID, createdAt: now)
    }

    /// Inserts the posting and moves both balances at once.
    func write(at now: Int64, on connection: PostgresConnection, logger: Logger) async throws -> TransferReceipt {
        let receipt = try await insert(at: now, on: connection, logger: logger)
        try await Self.moveBalances([debit: -amountFen, credit: amountFen], on: connection, logger: logger)
        return receipt
    }

    /// One UPDATE for every account whose balance changes, in id order.
    static func moveBalances(_ deltasFen: [AccountID: Int64], on connection: PostgresConnection, logger: Logger) async throws {
        let changed = deltasFen.filter { $0.value != 0 }.sorted { $0.key < $1.key }
        guard !changed.isEmpty else { return }
        try await connection.query(
            """
            UPDATE ledger_accounts a SET balance_fen = a.balance_fen + d.delta_fen
            FROM unnest(\(changed.map(\.key.rawValue))::bigint[], \(changed.map(\.value))::bigint[]) AS d(id, delta_fen)
            WHERE a.id = d.id
            """, logger: logger)
    }

    /// Locks the accounts (ascending ids: the order every transaction uses, so no two can wait
    /// on each other in a cycle) and returns the balances of those that exist.
    static func lockAccounts(_ ids: [AccountID], on connection: PostgresConnection, logger: Logger) async throws -> [AccountID: Int64] {
        let sorted = Set(ids.map(\.rawValue)).sorted()
        var balancesFen: [AccountID: Int64] = [:]
        for (id, balanceFen) in try await connection.rows(
            "SELECT id, balance_fen FROM ledger_accounts WHERE id = ANY(\(sorted)) ORDER BY id FOR UPDATE",
            as: (Int64, Int64).self, logger: logger)
        {
            balancesFen[AccountID(rawValue: id)] = balanceFen
        }
        return balancesFen
    }

    /// The transfer an initiator made with `key`, with the fingerprint of its request.
    static func transfer(initiator: UserID, key: String, on connection: PostgresConnection, logger: Logger) async throws
        -> (receipt: TransferReceipt, fingerprint: String)?
    {
        let rows = try await connection.rows(
            """
            SELECT \(unescaped: PostgresLedgerRows.transferColumns) FROM ledger_transfers t
            WHERE t.initiator_id = \(initiator.rawValue) AND t.idempotency_key = \(key)
            """, as: PostgresLedgerRows.TransferRow.self, logger: logger)
        guard let row = rows.first else { return nil }
        let (receipt, fingerprint) = try PostgresLedgerRows.receipt(from: row)
        return (receipt, fingerprint ?? "")
    }
}
