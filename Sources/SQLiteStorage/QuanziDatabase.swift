import Foundation
import GRDB
import Synchronization
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
    /// Where reads run (see `Access`).
    public let access: Access
    /// The named migrations this open applied, in order (empty when the schema was current).
    public let migrationsApplied: [String]
    /// The open group of `.singleThread` writes; touched only on the writer's queue.
    private let group = Mutex(WriteGroup())
    /// Writes one group commits at most (`.singleThread`).
    static let groupedWritesMax = 2_000
    /// The folder `temporary()` made: removed with the database when the last reference goes,
    /// so a test or a simulation that forgets `removeFiles()` leaves nothing in /tmp.
    private let temporaryFolder: String?
    /// Read caches that writes through this handle keep current (see each type), bounded as a
    /// server's unless `.singleThread` names its population (`Access`).
    let seenPostsIndex: SeenPostsIndex
    let socialSignalCache: SocialSignalCache
    /// Keeps `socialSignalCache` current with the writer's changes (see the type).
    private let socialTracking: SocialChangeTracking
    /// Held while this handle lives, so `restore` refuses to replace a database in use.
    private let fileLock: DatabaseFileLock
    /// Checkpoints the WAL off the writer's thread (`.singleThread`; see the type).
    private let checkpointer: WALCheckpointer?

    /// How a process uses the database.
    public enum Access: Sendable {
        /// A server's: reads on the pool's reader connections, concurrent with the writer and
        /// with one another, memory-mapped.
        case concurrent
        /// A throwaway world that one thread drives, alternating writes and reads (a simulation):
        /// - Reads run on the writer connection too. In WAL mode a connection drops its whole page
        ///   cache whenever another connection committed since its last read, so after every write
        ///   the readers started cold: each read re-read its pages with pread and took the WAL's
        ///   shared locks (a quarter of a simulation's CPU). The writer's cache stays valid across
        ///   its own commits. Pages are read with pread rather than mmap (a mapping is dropped the
        ///   same way), and the writer keeps `cacheMiB` of them.
        /// - Writes are grouped: each runs in a savepoint of one open transaction (so a write that
        ///   fails undoes exactly its own changes, as its own transaction would), committed every
        ///   `groupedWritesMax` writes and by `commitPending`. A commit per like wrote the same
        ///   index pages to the WAL again and again (a sixth of a simulation's CPU). Reads on the
        ///   same connection see every grouped write; nothing reads through another connection.
        ///   A crash loses the open group: for a world nobody was promised was durable only.
        ///   A write that refuses before it changes anything (`writeCheckingFirst`: likes,
        ///   comments, exposures, view batches, money batches, seeding) runs without a savepoint.
        /// - `viewers`: the population the world's feeds serve. The feed caches (social signals,
        ///   seen sets) are sized to hold all of them instead of a server's bounds (100,000 viewers,
        ///   4 million seen posts): a simulation's every user comes back each day, and at 100,000
        ///   users the server's bounds reloaded most of them from the database (100,000 × 3 days:
        ///   feeds 80 → 68 s). The price is memory: 100,000 × 14 days peaked at 1.76 GB instead of
        ///   1.27 GB.
        case singleThread(cacheMiB: Int, viewers: Int = 0)
    }

    /// Social-signal entries held for `viewers`: two generations of half each, so the current
    /// one holds everyone.
    static func socialSignalEntries(viewers: Int) -> Int { max(SocialSignalCache.entriesMax, 2 * viewers + 2) }
    /// Seen sets (viewer × circle) and seen posts held for `viewers`: ten sets and 400 posts a
    /// viewer (a week of sessions in a few circles), never fewer than a server's bounds.
    static func seenSets(viewers: Int) -> Int { max(SeenPostsIndex.entriesMax, 10 * viewers) }
    static func seenPosts(viewers: Int) -> Int { max(SeenPostsIndex.postsMax, 400 * viewers) }

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    public convenience init(path: String, access: Access = .concurrent) throws {
        try self.init(path: path, access: access, temporaryFolder: nil)
    }

    private init(path: String, access: Access, temporaryFolder: String?, walRestartFrames: Int = QuanziDatabase.walRestartFrames) throws {
        self.temporaryFolder = temporaryFolder
        let viewers = if case .singleThread(_, let viewers) = access { viewers } else { 0 }
        seenPostsIndex = SeenPostsIndex(entriesMax: Self.seenSets(viewers: viewers), postsMax: Self.seenPosts(viewers: viewers))
        socialSignalCache = SocialSignalCache(entriesMax: Self.socialSignalEntries(viewers: viewers))
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        if case .singleThread = access { configuration.allowsUnsafeTransactions = true }
        configuration.prepareDatabase { db in
            // FULL: the WAL is fsynced at every commit; NORMAL could lose the last commits on
            // power loss, which is not acceptable for money.
            try db.execute(sql: Self.fullySynchronous)
            db.add(function: AffinityStore.bumpedFunction)
            // Every commit (feed views, transfers) invalidates the other connections' page
            // caches, so without mmap each read transaction re-reads its pages with pread.
            // Reads only: SQLite still writes through write() and fsync.
            switch access {
            case .concurrent:
                try db.execute(sql: "PRAGMA mmap_size = \(Self.mmapBytes)")
            case .singleThread(let cacheMiB, _):
                try db.execute(sql: "PRAGMA mmap_size = 0")
                try db.execute(sql: "PRAGMA cache_size = -\(max(2, cacheMiB) * 1_024)")
            }
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        fileLock = try DatabaseFileLock(shared: path)
        // DatabasePool switches its writer to WAL after `prepareDatabase` and sets
        // synchronous=NORMAL as it does (no fsync of the WAL at commit); restore FULL on the writer.
        try pool.writeWithoutTransaction { db in try db.execute(sql: Self.fullySynchronous) }
        self.path = path
        self.access = access
        let migrator = Migrations.migrator
        let before = try pool.read { db in try migrator.appliedIdentifiers(db) }
        try migrator.migrate(pool)
        migrationsApplied = migrator.migrations.filter { !before.contains($0) }
        // Grouped writes commit rarely, and reads see them at once: forget at each change, not
        // at the commit.
        let forgetAtChange = if case .singleThread = access { true } else { false }
        socialTracking = try SocialChangeTracking.install(on: pool, cache: socialSignalCache, forgetAtChange: forgetAtChange)
        if case .singleThread = access {
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
            checkpointer = try WALCheckpointer(path: path, restartFrames: walRestartFrames)
        } else {
            checkpointer = nil
        }
    }

    /// After a group commit: the checkpointer copies it into the database file, or, if its
    /// checkpoints failed, the writer does as SQLite's own automatic checkpoint would (whose
    /// failures SQLite ignores too: the frames stay in the WAL and the next one retries).
    private func groupCommitted(_ db: Database) {
        guard let checkpointer else { return }
        guard checkpointer.committed() else {
            _ = try? db.checkpoint(.passive)
            return
        }
        checkpointer.restartDue()
    }

    /// WAL frames past which a group commit waits for the checkpointer, so that the WAL starts
    /// over (`WALCheckpointer`): 64 MiB of 4 KiB pages, about what seeding's largest transaction
    /// grew it to when the writer checkpointed itself.
    static let walRestartFrames = 16_384

    /// Waits for the checkpoint the last group commit asked for (tests).
    var checkpointStatus: (checkpoints: Int, failure: String?) {
        checkpointer?.drain()
        return checkpointer?.status ?? (0, nil)
    }

    private static let fullySynchronous = "PRAGMA synchronous = FULL"

    // MARK: - Reads, routed by `access`

    /// Runs `body` in a read transaction (one snapshot for all its statements).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        switch access {
        case .concurrent: return try pool.read(body)
        case .singleThread: return try pool.unsafeReentrantWrite { db in try Self.inReadTransaction(db, body) }
        }
    }

    /// Runs `body` without a transaction: for one statement, which is its own snapshot (the
    /// BEGIN/COMMIT that `read` wraps around it cost a tenth of a feed request's CPU).
    public func unsafeRead<T>(_ body: (Database) throws -> T) throws -> T {
        switch access {
        case .concurrent: return try pool.unsafeRead(body)
        case .singleThread: return try pool.unsafeReentrantWrite(body)
        }
    }

    /// `read` for async callers.
    public func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        switch access {
        case .concurrent: return try await pool.read(body)
        case .singleThread: return try pool.unsafeReentrantWrite { db in try Self.inReadTransaction(db, body) }
        }
    }

    // MARK: - Writes, routed by `access`

    /// Runs `body` in a write transaction (`.concurrent`), or in a savepoint of the open group
    /// (`.singleThread`).
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        switch access {
        case .concurrent: return try pool.write(body)
        case .singleThread: return try pool.unsafeReentrantWrite { db in try grouped(db, body) }
        }
    }

    /// `write` for async callers.
    public func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        switch access {
        case .concurrent: return try await pool.write(body)
        case .singleThread: return try pool.unsafeReentrantWrite { db in try grouped(db, body) }
        }
    }

    /// `write` for a body that makes every check that can refuse before its first change, so
    /// that when it throws there is nothing to undo (a like, a comment, an exposure). A server
    /// (`.concurrent`) runs it as `write`. A grouped write (`.singleThread`) runs it without a
    /// savepoint of its own: the savepoint copied every page the write first changed into the
    /// sub-journal, and its statements were parsed anew each time (together a tenth of a
    /// simulated day's CPU; perf, 50,000 users × 2 days).
    ///
    /// The promise is checked, not trusted: if the body throws after SQLite counted a changed row,
    /// the write cannot be undone alone, so the whole open group is rolled back and every later
    /// write and `commitPending` fail with `GroupedWritesLost`, loudly, as they do after an I/O
    /// error. A write nested in another keeps the savepoint.
    public func writeCheckingFirst<T>(_ body: (Database) throws -> T) throws -> T {
        switch access {
        case .concurrent: return try pool.write(body)
        case .singleThread: return try pool.unsafeReentrantWrite { db in try grouped(db, undoAlone: false, body) }
        }
    }

    /// `writeCheckingFirst` for async callers.
    public func writeCheckingFirst<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        switch access {
        case .concurrent: return try await pool.write(body)
        case .singleThread: return try pool.unsafeReentrantWrite { db in try grouped(db, undoAlone: false, body) }
        }
    }

    /// Commits the open group of writes, if any (`.singleThread`; nothing to do otherwise). Call
    /// it before the database is handed to anyone else or kept.
    public func commitPending() throws {
        guard case .singleThread = access else { return }
        if let lost = group.withLock({ $0.lost }) { throw GroupedWritesLost(reason: lost) }
        try pool.unsafeReentrantWrite { db in
            guard group.withLock({ $0.depth == 0 }), db.isInsideTransaction else { return }
            try db.commit()
            group.withLock { $0.pending = 0 }
            groupCommitted(db)
        }
    }

    struct WriteGroup {
        /// Writes in the open transaction.
        var pending = 0
        /// Nested writes under way (a write called from inside another's body).
        var depth = 0
        /// Why SQLite rolled the whole open group back, once it has: every write after it fails.
        var lost: String?
    }

    /// SQLite rolled back the whole open group of writes (`.singleThread`), as it may after an I/O
    /// error or a full disk: the writes already done are gone, so nothing may go on as if they
    /// were there.
    public struct GroupedWritesLost: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { "the open group of writes was rolled back by SQLite (\(reason)); the world is no longer whole" }
    }

    /// Runs one grouped write. `undoAlone`: in a savepoint of its own, so that a failure undoes
    /// exactly its changes; else bare, and a failure after a change loses the group
    /// (`writeCheckingFirst`).
    private func grouped<T>(_ db: Database, undoAlone: Bool = true, _ body: (Database) throws -> T) throws -> T {
        if let lost = group.withLock({ $0.lost }) { throw GroupedWritesLost(reason: lost) }
        if !db.isInsideTransaction { try db.beginTransaction(.immediate) }
        let outermost = group.withLock { group in
            group.depth += 1
            return group.depth == 1
        }
        defer { group.withLock { $0.depth -= 1 } }
        if outermost { socialTracking.writeBegan() }
        var result: T?
        if undoAlone || !outermost {
            do {
                try db.inSavepoint {
                    result = try body(db)
                    return .commit
                }
            } catch {
                socialTracking.writeUndone()
                // A failed write undoes its savepoint only; if the transaction itself is gone, the
                // group went with it.
                if !db.isInsideTransaction, group.withLock({ $0.pending }) > 0 {
                    throw loseGroup(db, error)
                }
                throw error
            }
        } else {
            let changesBefore = db.totalChangesCount
            do {
                result = try body(db)
            } catch {
                socialTracking.writeUndone()
                // Gone with the transaction: earlier writes of the group went too, if there were any.
                let lost = db.isInsideTransaction ? db.totalChangesCount != changesBefore : group.withLock({ $0.pending }) > 0
                if lost { throw loseGroup(db, error) }
                throw error
            }
        }
        let due = group.withLock { group in
            group.pending += 1
            return group.depth == 1 && group.pending >= Self.groupedWritesMax
        }
        if due {
            try db.commit()
            group.withLock { $0.pending = 0 }
            groupCommitted(db)
        }
        return result!
    }

    /// Rolls back what is left of the open group and fails every later write with the reason.
    /// The feed caches written in place by the group's earlier writes go with it.
    private func loseGroup(_ db: Database, _ error: any Error) -> GroupedWritesLost {
        if db.isInsideTransaction { try? db.rollback() }
        socialSignalCache.invalidateAll()
        seenPostsIndex.reloadAll()
        group.withLock { $0.lost = "\(error)" }
        return GroupedWritesLost(reason: "\(error)")
    }

    /// A deferred transaction unless one is open already (a read nested in a write sees the write).
    private static func inReadTransaction<T>(_ db: Database, _ body: (Database) throws -> T) throws -> T {
        guard !db.isInsideTransaction else { return try body(db) }
        var result: T?
        try db.inTransaction(.deferred) {
            result = try body(db)
            return .commit
        }
        return result!
    }

    /// Commits `body`'s writes in one transaction without fsyncing the WAL: for data nobody was
    /// promised was durable (views written behind). The WAL stays ordered, so the next FULL
    /// commit's fsync covers these frames too; a power cut before it loses them. The writer is
    /// back to FULL afterwards, whether `body` committed or threw, before anything else can use it.
    func writeWithoutFsync(_ body: (Database) throws -> Void) throws {
        // Grouped writes commit rarely anyway. Without a savepoint of its own: a batch of pages
        // overflowed its sub-journal's 64 KiB in memory, and SQLite kept the sub-journal a file
        // for the rest of the group, so every later write's statement journal cost pwrites (a
        // million in a 20,000-user day; strace). A batch refuses nothing; one that fails halfway
        // loses the group, loudly.
        if case .singleThread = access { return try writeCheckingFirst(body) }
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

    /// Points SQLite's temporary files (the sub-journals that the savepoints of grouped writes
    /// fill, sorts that spill) at /dev/shm for the rest of the process, unless `SQLITE_TMPDIR` is set
    /// already or there is no /dev/shm. For a process that runs a simulation: each grouped write
    /// copies the pages it changes first into a sub-journal, by default a file in /var/tmp (on
    /// disk). Kept as files rather than `temp_store = MEMORY`, whose in-memory journals made
    /// seeding a third slower. SQLite reads the variable once, at its first temporary file, so
    /// call this before opening anything.
    public static func keepTemporaryFilesInMemoryFileSystem() {
        guard getenv("SQLITE_TMPDIR") == nil, FileManager.default.isWritableFile(atPath: "/dev/shm") else { return }
        setenv("SQLITE_TMPDIR", "/dev/shm", 0)
    }

    /// A fresh database in a new temporary folder: for tests and simulations.
    /// `inMemoryFileSystem` puts it on /dev/shm when there is one: a throwaway world (a
    /// simulation) keeps the very same code path, fsyncs included, but they cost nothing there.
    ///
    /// `access` `.singleThread` suits a world whose one thread alternates writes and reads (a
    /// simulation); see `Access`.
    public static func temporary(name: String = "quanzi", inMemoryFileSystem: Bool = false, access: Access = .concurrent) throws
        -> QuanziDatabase
    {
        try temporary(name: name, inMemoryFileSystem: inMemoryFileSystem, access: access, walRestartFrames: walRestartFrames)
    }

    /// `temporary` with the WAL restarted past `walRestartFrames` instead of the default (tests).
    static func temporary(name: String, inMemoryFileSystem: Bool = false, access: Access, walRestartFrames: Int) throws -> QuanziDatabase {
        let shm = URL(fileURLWithPath: "/dev/shm", isDirectory: true)
        let base = inMemoryFileSystem && FileManager.default.isWritableFile(atPath: shm.path) ? shm : FileManager.default.temporaryDirectory
        let folder = base.appendingPathComponent("quanzi-\(UUID().uuidString)")
        return try QuanziDatabase(
            path: folder.appendingPathComponent("\(name).sqlite").path, access: access, temporaryFolder: folder.path, walRestartFrames: walRestartFrames)
    }

    deinit {
        try? checkpointer?.close()
        guard let temporaryFolder else { return }
        try? pool.close()
        try? FileManager.default.removeItem(atPath: temporaryFolder)
    }

    /// Deletes the temporary folder of a database made by `temporary()`.
    public func removeFiles() throws {
        try? commitPending()
        try checkpointer?.close()
        try pool.close()
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.removeItem(atPath: folder)
    }
}
