/// The values the stores take and return, and the logic both storage backends share: the
/// embedded SQLite one (`Storage`, GRDB) and the PostgreSQL one (`PostgresStorage`,
/// postgres-nio). Neither database library is imported here, so a store's public API can be
/// the same on both backends and a protocol can later stand in front of the two.
public enum StorageModel {}
