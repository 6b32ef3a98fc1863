import Core
import Ledger

/// Reading transfer rows back into receipts, shared by the writer, the wallet and the verifier.
enum PostgresLedgerRows {
    static let transferColumns = """
        t.id, t.kind, t.debit_account_id, t.credit_account_id, t.amount_fen, t.initiator_id, t.idempotency_key, \
        t.request_fingerprint, t.post_id, t.created_at
        """

    typealias TransferRow = (Int64, String, Int64, Int64, Int64, Int64?, String?, String?, Int64?, Int64)

    /// A row the schema should have made impossible.
    struct Corrupt: Error, CustomStringConvertible {
        let reason: String
        var description: String { "ledger row corrupt: \(reason)" }
    }

    /// The receipt and the request fingerprint of a transfer row.
    static func receipt(from row: TransferRow) throws -> (TransferReceipt, String?) {
        let (id, kindText, debit, credit, amountFen, initiator, key, fingerprint, postID, createdAt) = row
        guard let kind = TransferKind(rawValue: kindText) else { throw Corrupt(reason: "unknown transfer kind \(kindText)") }
        let receipt = TransferReceipt(
            transferID: id, kind: kind, debit: AccountID(rawValue: debit), credit: AccountID(rawValue: credit),
            amountFen: amountFen, initiator: initiator.map(UserID.init(rawValue:)), idempotencyKey: key,
            postID: postID, createdAt: createdAt)
        return (receipt, fingerprint)
    }
}
