import Core
import GRDB

/// People a user pays or is paid by (transfers and tips) who are not yet friends, most payments
/// first: the wallet's friend suggestions ("My friends" came from transfer contacts).
public struct PaymentContacts: Sendable {
    /// Only the user's most recent entries are scanned, so the cost is bounded for heavy payers.
    public static let scannedEntriesMax = 2_000

    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    public func suggestions(for user: UserID, limit: Int) throws -> [(user: UserID, payments: Int)] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT other.account_id AS contact, count(*) AS payments
                    FROM (SELECT transfer_id FROM ledger_entries WHERE account_id = ?1 ORDER BY id DESC LIMIT ?2) mine
                    JOIN ledger_transfers t ON t.id = mine.transfer_id AND t.kind IN ('transfer', 'tip')
                    JOIN ledger_entries other ON other.transfer_id = mine.transfer_id AND other.account_id <> ?1
                    WHERE other.account_id > 0
                      AND NOT EXISTS (SELECT 1 FROM friendships f WHERE f.user_id = ?1 AND f.friend_id = other.account_id)
                    GROUP BY other.account_id
                    ORDER BY payments DESC, contact
                    LIMIT ?3
                    """,
                arguments: [user.rawValue, Self.scannedEntriesMax, limit]
            ).map { (UserID($0["contact"] as Int64), $0["payments"] as Int) }
        }
    }
}
