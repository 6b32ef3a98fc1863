import Foundation
import GRDB
// The stores' value types live in StorageModel, shared with PostgresStorage; importers of
// Storage see them as before.
@_exported import StorageModel

/// The embedded database: one SQLite file in WAL mode with `synchronous=FULL`, so a committed
/// transaction survives a crash or power loss. One `DatabasePool` per process; reads never block
/// writes.
///
/// Hot single-statement lookups (tokens, profiles, posts by id, a viewer's feed signals) use
/// `unsafeRead`: a statement is its own snapshot, and the BEGIN/COMMIT that `read` wraps around
/// it were parsed anew on every call (a tenth of a feed request's CPU).
public final class QuanziDatabase: Sendable {
    public static let defaultPath = "var/quanzi.sqlite"
    /// Address space for memory-mapped reads, per connection (not memory: pages are the OS's).
    static let mmapBytes = 1 << 30

    public let pool: DatabasePool
    public let path: String
    /// The named migrations this open applied, in order (empty when the schema was current).
    public let migrationsApplied: [String]
    /// Read caches that writes through this handle keep current (see each type).
    let seenPostsIndex = SeenPostsIndex()
    let socialSignalCache = SocialSignalCache()

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    /// `memoryMappedReads` false reads pages with pread instead of mmap (see `temporary`).
    public init(path: String, memoryMappedReads: Bool = true) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // FULL: the WAL is fsynced at every commit; NORMAL could lose the last commits on
            // power loss, which is not acceptable for money.
            try db.execute(sql: Self.fullySynchronous)
            // Every commit (feed views, transfers) invalidates the other connections' page
            // caches, so without mmap each read transaction re-reads its pages with pread.
            // Reads only: SQLite still writes through write() and fsync.
            try db.execute(sql: "PRAGMA mmap_size = \(memoryMappedReads ? Self.mmapBytes : 0)")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        // DatabasePool switches its writer to WAL after `prepareDatabase` and sets
        // synchronous=NORMAL as it does (no fsync of the WAL at commit); restore FULL on the writer.
        try pool.writeWithoutTransaction { db in try db.execute(sql: Self.fullySynchronous) }
        self.path = path
        let migrator = Migrations.migrator
        let before = try pool.read { db in try migrator.appliedIdentifiers(db) }
        try migrator.migrate(pool)
        migrationsApplied = migrator.migrations.filter { !before.contains($0) }
        try SocialChangeTracking.install(on: pool, cache: socialSignalCache)
    }

    private static let fullySynchronous = "PRAGMA synchronous = FULL"

    /// Commits `body`'s writes in one transaction without fsyncing the WAL: for data nobody was
    /// promised was durable (views written behind). The WAL stays ordered, so the next FULL
    /// commit's fsync covers these frames too; a power cut before it loses them. The writer is
    /// back to FULL afterwards, whether `body` committed or threw, before anything else can use it.
    func writeWithoutFsync(_ body: (Database) throws -> Void) throws {
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            let failure: (any Error)?
            do {
                try db.inTransaction {
                    try body(db)
                    return .commit
                }
                failure = nil
            } catch {
                failure = error
            }
            try db.execute(sql: Self.fullySynchronous)
            if let failure { throw failure }
        }
    }

    /// A fresh database in a new temporary folder: for tests and simulations.
    /// `inMemoryFileSystem` puts it on /dev/shm when there is one: a throwaway world (a
    /// simulation) keeps the very same code path, fsyncs included, but they cost nothing there.
    ///
    /// `memoryMappedReads` false suits a world whose one thread alternates writes and reads (a
    /// simulation): in WAL mode a reader drops its whole mapping whenever the WAL changed since its
    /// last read, so after every commit the next read paid munmap, mmap and a page fault per page
    /// it touched (9% of a simulation's CPU), where pread from a file in memory is a copy.
    public static func temporary(name: String = "quanzi", inMemoryFileSystem: Bool = false, memoryMappedReads: Bool = true) throws
        -> QuanziDatabase
    {
        let shm = URL(fileURLWithPath: "/dev/shm", isDirectory: true)
        let base = inMemoryFileSystem && FileManager.default.isWritableFile(atPath: shm.path) ? shm : FileManager.default.temporaryDirectory
        let folder = base.appendingPathComponent("quanzi-\(UUID().uuidString)")
        return try QuanziDatabase(path: folder.appendingPathComponent("\(name).sqlite").path, memoryMappedReads: memoryMappedReads)
    }

    /// Deletes the temporary folder of a database made by `temporary()`.
    public func removeFiles() throws {
        try pool.close()
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.removeItem(atPath: folder)
    }
}
