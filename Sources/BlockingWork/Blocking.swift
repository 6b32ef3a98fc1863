import Core
import Dispatch
import Foundation
import NIOPosix
import Synchronization

/// Where synchronous work that may block runs, off Swift's cooperative pool: the one name for it
/// in every target (server handlers, the service's async paths, seeding, CLI commands).
///
/// Storage and rules are synchronous (GRDB, the Lua pool) and may wait for a database reader, a
/// Lua state, the network (PostgreSQL's synchronous stores) or an fsync. On the cooperative pool
/// (one thread per core) a few such waits stalled every request: under 64 concurrent feed
/// requests both pool threads sat waiting for a reader and the server stopped answering, even
/// /healthz; and debug builds trap when a PostgreSQL store is called from a task. So each
/// synchronous call is handed to threads that exist to block, in three lanes:
///
/// - `run`: work that uses the CPU the whole time (feeds, rule checks, cached reads). About one
///   thread per core, so requests run one after another instead of all at once: with sixteen
///   threads sharing two cores every feed request took as long as sixteen, the cores spent time
///   switching between them, and a feed's p99 was half again as long at 64 connections.
///   `quanzi serve --worker-threads` sets the count; PostgreSQL needs more (its feed waits for
///   the database on every request).
/// - `commit`: work that waits for an fsync (posts, comments, likes, friendships). Many threads,
///   so that writes waiting for the disk never hold up the CPU-bound work, nor one another.
/// - `anyThread` (and `awaited`): unbounded, for the service's own async paths (tips,
///   transfers, red-packet audiences), seeding and CLI commands: these are called from tasks
///   that may already hold a place in a bounded lane's queue, and must never wait behind it.
///
/// Only synchronous code runs here. Making the bounded pool the handlers' task executor instead
/// deadlocked in a test: the continuations of GRDB's async reads (the wallet) were queued
/// behind threads waiting for the very readers those reads held.
public enum Blocking {
    /// Threads for `commit`: as many as the one pool had, since a commit mostly waits for its
    /// fsync rather than for a core.
    public static let commitThreadCount = 16

    /// Threads for `run` when the server does not set them: one per core, and a spare for the
    /// moment one waits for a page of the database file.
    public static var defaultWorkerThreadCount: Int { ProcessInfo.processInfo.activeProcessorCount + 1 }

    /// The count `run`'s pool is created with on first use (0: the default).
    private static let configuredWorkerThreads = Atomic<Int>(0)

    /// Sets `run`'s thread count. Effective only before the first call (the pool is created
    /// once); the server's `buildApplication` calls it.
    public static func configure(workerThreads: Int?) {
        configuredWorkerThreads.store(max(0, workerThreads ?? 0), ordering: .relaxed)
    }

    // Bounded pools of threads made once: swift-nio's `NIOThreadPool` (in this target of its own
    // so that Core, which the fuzz package builds alone, needs no dependency).
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

    private static let anyThreadQueue = DispatchQueue(label: "quanzi.blocking", attributes: .concurrent)

    /// What the current request pinned for its whole length (the service's loaded scripts, so a
    /// request that started before a reload finishes on the set it started with). A task-local
    /// value does not cross onto the threads below on its own: each lane binds it again around
    /// the work it runs, so synchronous code there reads the request's value.
    @TaskLocal public static var pinned: (any Sendable)?

    /// Runs `body` with `value` pinned on this thread (the lanes' threads have no task).
    private static func carrying<T>(_ value: (any Sendable)?, _ body: () throws -> T) rethrows -> T {
        guard let value else { return try body() }
        return try $pinned.withValue(value) { try body() }
    }

    /// Runs CPU-bound synchronous work on the bounded worker pool (see the type's notes).
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let pinned = Blocking.pinned
        return try await workerPool.runIfActive { try carrying(pinned, body) }
    }

    /// Runs synchronous work that commits to the database and so waits for its fsync.
    public static func commit<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let pinned = Blocking.pinned
        return try await commitPool.runIfActive { try carrying(pinned, body) }
    }

    /// Runs synchronous work on a thread of its own, however many are busy (see the type's notes).
    public static func anyThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let pinned = Blocking.pinned
        return try await withCheckedThrowingContinuation { continuation in
            anyThreadQueue.async { continuation.resume(with: Result { try carrying(pinned, body) }) }
        }
    }

    /// `anyThread` for bodies that throw `QuanziError` only; any other error is a storage failure.
    public static func anyThread<T: Sendable>(_ body: @escaping @Sendable () throws(QuanziError) -> T) async throws(QuanziError) -> T {
        do {
            return try await anyThread { () throws -> T in try body() }
        } catch let error as QuanziError {
            throw error
        } catch {
            throw QuanziError(.storageFailure, "storage failure: \(error)")
        }
    }

    /// `anyThread` for a body that is not `Sendable` because it works on its caller's state (a
    /// command, seeding's random generator and counts). Safe because the caller awaits it before
    /// touching that state again: the body and its caller never run at the same time.
    public static func awaited<T>(_ body: @escaping () throws -> T) async throws -> T {
        let unchecked = Unchecked(value: body)
        return try await anyThread { Unchecked(value: Result { try unchecked.value() }) }.value.get()
    }

    private struct Unchecked<Value>: @unchecked Sendable {
        let value: Value
    }
}
