import Core
import GRDB

/// A user's ledger entries, newest first, paged by entry id (`ledger_entries` is indexed by
/// account and id).
public struct WalletHistory: Sendable {
    public struct Item: Sendable, Hashable {
        public var entryID: Int64
        public var transferID: Int64
        public var kind: String
        /// Signed: negative when money left the account.
        public var amountFen: Int64
        /// The other side of the movement, when it is a user.
        public var counterpartyUserID: UserID?
        public var postID: Int64?
        public var createdAtEpochSeconds: Int64
    }

    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    /// Up to `limit` movements older than entry `before` (nil: the newest), and the entry id to
    /// continue from when there are more.
    public func page(of user: UserID, before: Int64?, limit: Int) throws -> (items: [Item], next: Int64?) {
        try database.pool.read { db in
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
                let amount: Int64 = row["amount_fen"]
                let other: Int64 = amount < 0 ? row["credit_account_id"] : row["debit_account_id"]
                return Item(entryID: row["entry_id"], transferID: row["transfer_id"], kind: row["kind"], amountFen: amount,
                            counterpartyUserID: other > 0 ? UserID(other) : nil, postID: row["post_id"], createdAtEpochSeconds: row["created_at"])
            }
            return (Array(items), rows.count > limit ? items.last?.entryID : nil)
        }
    }
}
