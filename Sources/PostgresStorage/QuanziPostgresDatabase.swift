import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import StorageModel
import Synchronization

/// PostgreSQL for the stores whose SQLite twins are synchronous (users, tokens, friends, posts,
/// affinities, credit, experiments, metrics, feeds, wallet reads): the counterpart of
/// `QuanziDatabase`.
///
/// How the synchronous API is bridged: the SQLite stores block their caller (GRDB waits for a
/// reader, the writer, an fsync), and every caller is synchronous code on a thread that may block
/// (the server runs service calls on its `Blocking` thread pool; Lua bindings, the CLI and the
/// REPL are synchronous too). These stores keep exactly that contract. Each statement goes to a
/// `PostgresConnection` whose I/O runs on a NIO event loop, and the calling thread waits for the
/// statement's `EventLoopFuture`. Nothing on that path needs Swift's cooperative pool (no `Task`,
/// no `PostgresClient.run()`), so a blocked caller can never starve the work it waits for, and
/// `wait()` traps if it is ever called on an event loop thread. Like GRDB, these calls must not
/// be made from the cooperative pool (they would tie up one of its threads while waiting): async
/// code hops to a blocking thread first, as the server does.
public final class QuanziPostgresDatabase: Sendable {
    /// One connection per thread of the server's commit pool (`Blocking.commitThreadCount`, the
    /// size of its one blocking pool when this was chosen), so a committing thread never waits
    /// for a connection another one holds.
    public static let connectionsMaxDefault = 16

    let pool: PostgresConnectionPool
    let logger: Logger
    /// Viewers' friends and affinities for the feeds: invalidated by this node's stores after
    /// their commits, and by the service's follower for other nodes' (`FeedReading`).
    let socialSignalCache = SocialSignalCache()
    /// The posts each viewer has seen, noted by this node's view recorder and, for other nodes'
    /// views, by the service's follower.
    let seenPostsIndex = SeenPostsIndex()
    private let following = Atomic<Bool>(false)
    private let readStatements = Atomic<Int>(0)
    private let writeStatements = Atomic<Int>(0)

    /// Whether the two caches above answer: only while a follower applies other nodes' writes
    /// (``followerRunning(_:)``), since only it tells them what other nodes changed. Otherwise (the
    /// CLI, a service that follows nothing) every read goes to the database.
    var holdsFollowedRows: Bool { following.load(ordering: .acquiring) }

    /// A follower started (true) or stopped (false) applying other nodes' writes. Either way
    /// everything held is read again on next use: while nothing followed, it may have gone stale.
    func followerRunning(_ running: Bool) {
        if running {
            socialSignalCache.invalidateAll()
            seenPostsIndex.reloadAll()
            following.store(true, ordering: .releasing)
        } else {
            following.store(false, ordering: .releasing)
            socialSignalCache.invalidateAll()
            seenPostsIndex.reloadAll()
        }
    }

    /// Statements these connections have sent since the database was made (not the wallet's
    /// `PostgresClient`), outside write transactions (`reads`) and inside them (`writes`, with
    /// their BEGIN and COMMIT): what tests count to see that a warm feed page reads nothing.
    public var statementCounts: (reads: Int, writes: Int) {
        (readStatements.load(ordering: .relaxed), writeStatements.load(ordering: .relaxed))
    }

    func countStatement(writing: Bool) {
        if writing { writeStatements.add(1, ordering: .relaxed) } else { readStatements.add(1, ordering: .relaxed) }
    }

    /// Connects lazily to `url` (`postgres://user@host[:port]/database`); nothing is migrated
    /// here: `quanzi migrate` (``PostgresMigrations``) does that explicitly.
    /// With `nodeID`, the events these connections insert record it as their origin.
    public init(
        url: String, connectionsMax: Int = connectionsMaxDefault, nodeID: String? = nil,
        logger: Logger = Logger(label: "quanzi.postgres")
    ) throws {
        pool = PostgresConnectionPool(
            configuration: try PostgresURL.connectionConfiguration(url, nodeID: nodeID), connectionsMax: connectionsMax,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
        self.logger = logger
    }

    /// Statements outside an explicit transaction, each its own snapshot: for single-statement
    /// lookups, like `unsafeRead` on SQLite.
    func unsafeRead<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        assertMayBlock()
        return try pool.withConnection { connection in
            (Result { try body(PostgresSession(connection: connection, logger: logger, database: self, writing: false)) }, reusable: true)
        }
    }

    /// One consistent snapshot for several statements.
    func read<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        assertMayBlock()
        return try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", writing: false, body)
    }

    /// A READ COMMITTED transaction, run again (at most `PostgresRetry.attemptsMax` times) when
    /// PostgreSQL says a rerun may succeed. Writers that read before they write lock the rows
    /// they read (`FOR UPDATE`), so concurrent nodes serialise where SQLite's single writer did.
    @discardableResult
    func write<T>(attemptsMax: Int = PostgresRetry.attemptsMax, _ body: (PostgresSession) throws -> T) throws -> T {
        assertMayBlock()
        var attempt = 1
        while true {
            do {
                return try transaction("BEGIN", writing: true, body)
            } catch where PostgresRetry.isRetryable(error) && attempt < attemptsMax {
                attempt += 1
            }
        }
    }

    private func transaction<T>(_ begin: String, writing: Bool, _ body: (PostgresSession) throws -> T) throws -> T {
        try pool.withConnection { connection in
            let session = PostgresSession(connection: connection, logger: logger, database: self, writing: writing)
            do {
                try session.execute(PostgresQuery(unsafeSQL: begin))
            } catch {
                return (.failure(error), reusable: false)
            }
            let outcome = Result { try body(session) }
            switch outcome {
            case .success:
                do {
                    try session.execute("COMMIT")
                    return (outcome, reusable: true)
                } catch {
                    return (.failure(error), reusable: false)
                }
            case .failure:
                // A connection whose rollback failed is in an unknown state: close it.
                let rolledBack = (try? session.execute("ROLLBACK")) != nil
                return (outcome, reusable: rolledBack)
            }
        }
    }

    /// Debug builds trap when a store is called from async code: that thread belongs to an
    /// executor (usually the cooperative pool) and must not wait on the network. Threads made to
    /// block (the server's `Blocking` pool, GCD, the main thread outside a task) run no task.
    private func assertMayBlock() {
        assert(
            withUnsafeCurrentTask { $0 == nil },
            "a synchronous PostgreSQL store was called from async code; run it on a blocking thread (see QuanziPostgresDatabase)")
    }

    /// Closes the connections; later calls throw ``QuanziPostgresDatabaseClosed``.
    public func close() { pool.close() }
}
