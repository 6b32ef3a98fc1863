import Foundation
import NIOPosix
import Synchronization

/// Where the service's synchronous calls run. Storage and rules are synchronous (GRDB, the Lua
/// pool) and may wait for a database reader, a Lua state or an fsync. On Swift's cooperative
/// pool (one thread per core) a few such waits stalled every request: under 64 concurrent feed
/// requests both pool threads sat waiting for a reader and the server stopped answering, even
/// /healthz. Handlers hand each synchronous call to threads that exist to block, in two pools:
///
/// - `run`: work that uses the CPU the whole time (feeds, rule checks, cached reads). About one
///   thread per core, so requests run one after another instead of all at once: with sixteen
///   threads sharing two cores every feed request took as long as sixteen, the cores spent time
///   switching between them, and a feed's p99 was half again as long at 64 connections.
///   `quanzi serve --worker-threads` sets the count; PostgreSQL needs more (its feed waits for
///   the database on every request).
/// - `commit`: work that waits for an fsync (posts, comments, likes, friendships). Many threads,
///   so that writes waiting for the disk never hold up the CPU-bound work, nor one another.
///
/// Only synchronous code runs here. Making it the handlers' task executor instead deadlocked in
/// a test: the continuations of GRDB's async reads (the wallet) were queued behind threads
/// waiting for the very readers those reads held.
enum Blocking {
    /// Threads for `commit`: as many as the one pool had, since a commit mostly waits for its
    /// fsync rather than for a core.
    static let commitThreadCount = 16

    /// Threads for `run` when the server does not set them: one per core, and a spare for the
    /// moment one waits for a page of the database file.
    static var defaultWorkerThreadCount: Int { ProcessInfo.processInfo.activeProcessorCount + 1 }

    /// The count `run`'s pool is created with on first use (0: the default).
    private static let configuredWorkerThreads = Atomic<Int>(0)

    /// Sets `run`'s thread count. Effective only before the first request (the pool is created
    /// once); `buildApplication` calls it.
    static func configure(workerThreads: Int?) {
        configuredWorkerThreads.store(max(0, workerThreads ?? 0), ordering: .relaxed)
    }

    private static let workerPool: NIOThreadPool = {
        let configured = configuredWorkerThreads.load(ordering: .relaxed)
        let pool = NIOThreadPool(numberOfThreads: configured > 0 ? configured : defaultWorkerThreadCount)
        pool.start()
        return pool
    }()

    private static let commitPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: commitThreadCount)
        pool.start()
        return pool
    }()

    /// Runs CPU-bound synchronous work (see the type's notes).
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await workerPool.runIfActive(body)
    }

    /// Runs synchronous work that commits to the database and so waits for its fsync.
    static func commit<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await commitPool.runIfActive(body)
    }
}
