/// The wallet's ledger on PostgreSQL, for deployments where several `quanzi serve` nodes share
/// one database.
///
/// - ``PostgresLedgerMigrations`` creates the same tables, constraints and append-only rules as
///   the SQLite ledger (Storage's `LedgerMigrations`), in PostgreSQL's dialect.
/// - ``PostgresWallet`` applies transfer batches in one transaction each, locking the accounts
///   involved with `SELECT … FOR UPDATE` in ascending id order, so concurrent nodes serialise
///   on the rows they share and can never deadlock on each other.
/// - ``PostgresLedgerVerifier`` replays the entries (`Ledger.BalanceReplay`) like `ledger verify`.
///
/// Domain checks (fields, limits, fingerprints, result codes) come from `Ledger`, not from here.
public enum PostgresStorage {}
