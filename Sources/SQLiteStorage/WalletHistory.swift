import Core
import GRDB

/// A user's ledger entries, newest first, paged by entry id (`ledger_entries` is indexed by
/// account and id).
public struct WalletHistory: Sendable {
    public typealias Item = WalletHistoryItem

    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    /// Up to `limit` movements older than entry `before` (nil: the newest), and the entry id to
    /// continue from when there are more.
    public func page(of user: UserID, before: Int64?, limit: Int) throws -> (items: [Item], next: Int64?) {
        try database.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT e.id AS entry_id, e.amount_fen, t.id AS transfer_id, t.kind, t.debit_account_id,
                           t.credit_account_id, t.post_id, t.created_at
                    FROM ledger_entries e JOIN ledger_transfers t ON t.id = e.transfer_id
                    WHERE e.account_id = ? AND e.id < ?
                    ORDER BY e.id DESC LIMIT ?
                    """,
                arguments: [user.rawValue, before ?? Int64.max, limit + 1])
            let items = rows.prefix(limit).map { row -> Item in
                Item(entryID: row["entry_id"], transferID: row["transfer_id"], kind: row["kind"], amountFen: row["amount_fen"],
                     debitAccountID: row["debit_account_id"], creditAccountID: row["credit_account_id"], postID: row["post_id"],
                     createdAtEpochSeconds: row["created_at"])
            }
            return (Array(items), rows.count > limit ? items.last?.entryID : nil)
        }
    }
}
