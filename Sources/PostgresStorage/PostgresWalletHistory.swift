import Core
import PostgresNIO
import StorageModel

/// A user's ledger entries on PostgreSQL, newest first, paged by entry id (Storage's
/// `WalletHistory`). Entry ids come from a sequence, so with several nodes a page boundary is
/// stable but an entry committed late by another node may land behind a page already read.
public struct PostgresWalletHistory: Sendable {
    public typealias Item = WalletHistoryItem

    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    /// Up to `limit` movements older than entry `before` (nil: the newest), and the entry id to
    /// continue from when there are more.
    public func page(of user: UserID, before: Int64?, limit: Int) throws -> (items: [Item], next: Int64?) {
        try database.unsafeRead { session in
            let rows = try session.rows(
                """
                SELECT e.id, e.amount_fen, t.id, t.kind, t.debit_account_id, t.credit_account_id, t.post_id, t.created_at
                FROM ledger_entries e JOIN ledger_transfers t ON t.id = e.transfer_id
                WHERE e.account_id = \(user.rawValue) AND e.id < \(before ?? Int64.max)
                ORDER BY e.id DESC LIMIT \(limit + 1)
                """, as: (Int64, Int64, Int64, String, Int64, Int64, Int64?, Int64).self)
            let items = rows.prefix(limit).map { entryID, amountFen, transferID, kind, debit, credit, postID, createdAt in
                Item(
                    entryID: entryID, transferID: transferID, kind: kind, amountFen: amountFen, debitAccountID: debit,
                    creditAccountID: credit, postID: postID, createdAtEpochSeconds: createdAt)
            }
            return (Array(items), rows.count > limit ? items.last?.entryID : nil)
        }
    }
}
