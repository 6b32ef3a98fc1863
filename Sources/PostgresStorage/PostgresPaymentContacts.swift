import Core
import PostgresNIO

/// People a user pays or is paid by who are not yet friends, most payments first, on
/// PostgreSQL (SQLiteStorage's `PaymentContacts`).
public struct PostgresPaymentContacts: Sendable {
    /// Only the user's most recent entries are scanned, so the cost is bounded for heavy payers.
    public static let scannedEntriesMax = 2_000

    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    public func suggestions(for user: UserID, limit: Int) throws -> [(user: UserID, payments: Int)] {
        try database.unsafeRead { session in
            try session.rows(
                """
                SELECT other.account_id AS contact, count(*) AS payments
                FROM (SELECT transfer_id FROM ledger_entries WHERE account_id = \(user.rawValue)
                      ORDER BY id DESC LIMIT \(Self.scannedEntriesMax)) mine
                JOIN ledger_transfers t ON t.id = mine.transfer_id AND t.kind IN ('transfer', 'tip')
                JOIN ledger_entries other ON other.transfer_id = mine.transfer_id AND other.account_id <> \(user.rawValue)
                WHERE other.account_id > 0
                  AND NOT EXISTS (SELECT 1 FROM friendships f WHERE f.user_id = \(user.rawValue) AND f.friend_id = other.account_id)
                GROUP BY other.account_id
                ORDER BY payments DESC, contact
                LIMIT \(limit)
                """, as: (Int64, Int).self
            ).map { (UserID($0.0), $0.1) }
        }
    }
}
