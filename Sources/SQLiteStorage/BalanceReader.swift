import Core
import GRDB

/// Synchronous balance reads for `quanzi.wallet.balance` and the REPL, which run outside async
/// contexts. Reads see committed transfers only, like every read of the pool.
public struct BalanceReader: Sendable {
    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    /// The user's balance in fen, or nil when the user has no wallet account.
    public func balanceFen(of user: UserID) throws -> Int64? {
        try database.read { db in
            try Int64.fetchOne(db, sql: "SELECT balance_fen FROM ledger_accounts WHERE id = ? AND kind = 'user'", arguments: [user.rawValue])
        }
    }
}
