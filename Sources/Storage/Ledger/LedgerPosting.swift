import Core
import GRDB
import Ledger

/// One movement of money as written: the transfer row, its two entries and the two balance
/// updates. Callers check everything first (accounts, funds, idempotency); the schema's CHECKs
/// are the second line of defence.
struct LedgerPosting: Sendable {
    var kind: TransferKind
    var debit: AccountID
    var credit: AccountID
    var amountFen: Int64
    /// `nil` with `idempotencyKey` and `fingerprint` for the wallet's own movements.
    var initiator: UserID?
    var idempotencyKey: String?
    var fingerprint: String?
    var postID: Int64?

    /// Writes the posting and returns its receipt.
    func write(at now: Int64, in db: Database) throws -> TransferReceipt {
        try db.cachedStatement(
            sql: """
                INSERT INTO ledger_transfers (kind, debit_account_id, credit_account_id, amount_fen, initiator_id,
                  idempotency_key, request_fingerprint, post_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            kind.rawValue, debit.rawValue, credit.rawValue, amountFen, initiator?.rawValue,
            idempotencyKey, fingerprint, postID, now,
        ])
        let transferID = db.lastInsertedRowID
        // Debit first: replaying entries in id order then sees each debit before the credit.
        try db.cachedStatement(sql: "INSERT INTO ledger_entries (transfer_id, account_id, amount_fen) VALUES (?, ?, ?), (?, ?, ?)")
            .execute(arguments: [transferID, debit.rawValue, -amountFen, transferID, credit.rawValue, amountFen])
        let update = try db.cachedStatement(sql: "UPDATE ledger_accounts SET balance_fen = balance_fen + ? WHERE id = ?")
        try update.execute(arguments: [-amountFen, debit.rawValue])
        try update.execute(arguments: [amountFen, credit.rawValue])
        return TransferReceipt(
            transferID: transferID, kind: kind, debit: debit, credit: credit, amountFen: amountFen,
            initiator: initiator, idempotencyKey: idempotencyKey, postID: postID, createdAt: now)
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
    static func transfer(initiator: UserID, key: String, in db: Database) throws -> (receipt: TransferReceipt, fingerprint: String)? {
        let statement = try db.cachedStatement(
            sql: """
                SELECT \(transferColumns) FROM ledger_transfers WHERE initiator_id = ? AND idempotency_key = ?
                """)
        guard let row = try Row.fetchOne(statement, arguments: [initiator.rawValue, key]) else { return nil }
        return (try receipt(from: row), row["request_fingerprint"] ?? "")
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
