/// The storage protocols (`StorageBackend` and its repositories, in Repositories/), the values
/// the stores take and return, and the logic both storage backends share: the embedded SQLite
/// one (`SQLiteStorage`, GRDB) and the PostgreSQL one (`PostgresStorage`, postgres-nio). Neither
/// database library is imported here, so the service sees these protocols and never a backend.
public enum StorageModel {}
