import NIOPosix

/// Where CLI commands run the service's synchronous calls: a thread that may block, like the
/// server's `Blocking` pool. Commands are async (the wallet is), and the synchronous stores must
/// not run in a task: on PostgreSQL they wait on the network, and debug builds trap there.
enum CLIBlocking {
    /// Runs `body` on NIO's blocking thread pool and waits for it. The caller awaits the result
    /// before going on, so `body` may capture the command (not `Sendable`) safely.
    static func run<T>(_ body: @escaping () throws -> T) async throws -> T {
        let unchecked = Unchecked(value: body)
        return try await NIOThreadPool.singleton.runIfActive { Unchecked(value: Result { try unchecked.value() }) }.value.get()
    }

    private struct Unchecked<Value>: @unchecked Sendable {
        let value: Value
    }
}
