/// The stores on PostgreSQL, for deployments where several `quanzi serve` nodes share one
/// database. Each `Postgres…Store` mirrors the public API of its SQLite twin in `SQLiteStorage`
/// (names, labels, return types, `QuanziError` and `LedgerResult` codes); the shared value types
/// live in `StorageModel`.
///
/// - ``PostgresMigrations`` creates every table of the SQLite schema with the same constraints
///   and append-only rules, in PostgreSQL's dialect, under an advisory lock (`quanzi migrate`).
/// - ``QuanziPostgresDatabase`` carries the synchronous stores (their SQLite twins are
///   synchronous and so are their callers): each statement blocks the calling thread on a NIO
///   future of its own connection pool, never on Swift's cooperative pool (see there).
/// - ``PostgresLedgerStore`` is async like the SQLite `SQLiteLedgerStore`, on a `PostgresClient`:
///   it fetches and commits what `Ledger`'s state machines decide; each transfer batch (group
///   committed per node by the service's wallet) and each red packet is one transaction,
///   locking accounts with `SELECT … FOR UPDATE` in ascending id order (and a red packet's row
///   before its accounts), so concurrent batches and nodes serialise on the rows they share and
///   never deadlock; events in the same transaction.
/// - ``PostgresLedgerVerifier`` replays the entries (`Ledger.BalanceReplay`) like `ledger verify`.
///
/// Domain checks (fields, limits, fingerprints, result codes, share draws, decay, credit,
/// metric tallies) come from the domain targets and `StorageModel`, not from here.
public enum PostgresStorage {}
