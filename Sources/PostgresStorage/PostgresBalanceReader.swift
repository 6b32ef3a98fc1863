import Core
import PostgresNIO

/// Synchronous balance reads for `quanzi.wallet.balance` and the REPL on PostgreSQL (Storage's
/// `BalanceReader`). Reads see committed transfers only.
public struct PostgresBalanceReader: Sendable {
    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    /// The user's balance in fen, or nil when the user has no wallet account.
    public func balanceFen(of user: UserID) throws -> Int64? {
        try database.unsafeRead { session in
            try session.value("SELECT balance_fen FROM ledger_accounts WHERE id = \(user.rawValue) AND kind = 'user'", as: Int64.self)
        }
    }
}
