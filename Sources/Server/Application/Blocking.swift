import NIOPosix

/// Where the service's synchronous calls run. Storage and rules are synchronous (GRDB, the Lua
/// pool) and may wait for a database reader, a Lua state or an fsync. On Swift's cooperative
/// pool (one thread per core) a few such waits stalled every request: under 64 concurrent feed
/// requests both pool threads sat waiting for a reader and the server stopped answering, even
/// /healthz. Handlers hand each synchronous call to this pool of threads that exist to block.
///
/// Only synchronous code runs here. Making it the handlers' task executor instead deadlocked in
/// a test: the continuations of GRDB's async reads (the wallet) were queued behind threads
/// waiting for the very readers those reads held.
enum Blocking {
    /// More threads than GRDB's readers, so that waiting for a reader never starves the holder.
    static let threadCount = 16

    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: threadCount)
        pool.start()
        return pool
    }()

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }
}
