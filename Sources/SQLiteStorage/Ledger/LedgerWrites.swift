import Core
import GRDB
import Ledger

/// Writes what the state machines decided: postings and balance moves.
enum LedgerWrites {
    /// Inserts the transfer row and its two entries (debit first: replaying entries in id order
    /// then sees each debit before the credit); returns the transfer id. Balances move apart,
    /// once per account per batch (``moveBalances(_:in:)``).
    static func insert(_ posting: LedgerPosting, at now: Int64, in db: Database) throws -> Int64 {
        try db.cachedStatement(
            sql: """
                INSERT INTO ledger_transfers (kind, debit_account_id, credit_account_id, amount_fen, initiator_id,
                  idempotency_key, request_fingerprint, post_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            posting.kind.rawValue, posting.debit.rawValue, posting.credit.rawValue, posting.amountFen,
            posting.initiator?.rawValue, posting.idempotencyKey, posting.fingerprint, posting.postID, now,
        ])
        let transferID = db.lastInsertedRowID
        try db.cachedStatement(sql: "INSERT INTO ledger_entries (transfer_id, account_id, amount_fen) VALUES (?, ?, ?), (?, ?, ?)")
            .execute(arguments: [transferID, posting.debit.rawValue, -posting.amountFen, transferID, posting.credit.rawValue, posting.amountFen])
        return transferID
    }

    /// One UPDATE per account whose balance changes, in id order. The schema's CHECKs refuse a
    /// negative user balance: the second line of defence behind the state machine.
    static func moveBalances(_ deltas: BalanceDeltas, in db: Database) throws {
        let update = try db.cachedStatement(sql: "UPDATE ledger_accounts SET balance_fen = balance_fen + ? WHERE id = ?")
        for (account, deltaFen) in deltas.sorted { try update.execute(arguments: [deltaFen, account.rawValue]) }
    }
}

/// Reads of the ledger tables shared by the writers and the wallet.
enum LedgerRows {
    /// The balance of `account`, or `nil` when it has not been opened.
    static func balanceFen(of account: AccountID, in db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT balance_fen FROM ledger_accounts WHERE id = ?"),
            arguments: [account.rawValue])
    }

    /// The transfer an initiator made with `key`, with the fingerprint of its request.
    static func transfer(initiator: UserID, key: String, in db: Database) throws -> EarlierTransfer? {
        let statement = try db.cachedStatement(
            sql: """
                SELECT \(transferColumns) FROM ledger_transfers WHERE initiator_id = ? AND idempotency_key = ?
                """)
        guard let row = try Row.fetchOne(statement, arguments: [initiator.rawValue, key]) else { return nil }
        return EarlierTransfer(receipt: try receipt(from: row), fingerprint: row["request_fingerprint"] ?? "")
    }

    /// The transfer with `id`.
    static func transfer(id: Int64, in db: Database) throws -> TransferReceipt? {
        let statement = try db.cachedStatement(sql: "SELECT \(transferColumns) FROM ledger_transfers WHERE id = ?")
        return try Row.fetchOne(statement, arguments: [id]).map(receipt(from:))
    }

    static let transferColumns = """
        id, kind, debit_account_id, credit_account_id, amount_fen, initiator_id, idempotency_key, \
        request_fingerprint, post_id, created_at
        """

    static func receipt(from row: Row) throws -> TransferReceipt {
        let kindText: String = row["kind"]
        guard let kind = TransferKind(rawValue: kindText) else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "unknown transfer kind \(kindText)")
        }
        let initiator: Int64? = row["initiator_id"]
        return TransferReceipt(
            transferID: row["id"], kind: kind, debit: AccountID(rawValue: row["debit_account_id"]),
            credit: AccountID(rawValue: row["credit_account_id"]), amountFen: row["amount_fen"],
            initiator: initiator.map(UserID.init(rawValue:)), idempotencyKey: row["idempotency_key"],
            postID: row["post_id"], createdAt: row["created_at"])
    }
}
