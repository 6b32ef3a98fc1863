import Dispatch
import GRDB
import Synchronization

/// Copies a `.singleThread` database's committed WAL frames into the database file on a thread
/// of its own, through a connection of its own, while the writer goes on.
///
/// SQLite checkpoints by itself in the connection that commits, once the WAL passes 1,000 pages
/// (`wal_autocheckpoint`): in a simulation that was the one thread doing everything, and the
/// checkpoints were 3.6% of a late simulated day's CPU (perf, 100,000 users, day 13) while the
/// second core idled. The writer's own checkpoints are turned off (`wal_autocheckpoint = 0`) and
/// each group commit asks for a PASSIVE checkpoint here instead, which copies what is committed
/// without waiting for or blocking the writer. Content never changes, only where a page is read
/// from, so a simulation's report stays the same. If a checkpoint ever fails, the writer
/// checkpoints at its commits again, so the WAL cannot grow without bound unnoticed.
final class WALCheckpointer: Sendable {
    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "quanzi.wal-checkpoint")
    private struct State {
        /// A checkpoint is queued and has not started: another request adds nothing.
        var queued = false
        var failure: String?
        var checkpoints = 0
    }
    private let state = Mutex(State())

    init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "quanzi.wal-checkpoint"
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// The writer committed (on the writer's thread). Queues a checkpoint unless one is waiting;
    /// returns false when checkpoints here have failed, so that the writer checkpoints itself.
    func committed() -> Bool {
        let (queue, working) = state.withLock { state -> (Bool, Bool) in
            guard state.failure == nil else { return (false, false) }
            defer { state.queued = true }
            return (!state.queued, true)
        }
        guard working else { return false }
        if queue { self.queue.async { self.checkpoint() } }
        return true
    }

    private func checkpoint() {
        state.withLock { $0.queued = false }
        do {
            try connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            state.withLock { $0.checkpoints += 1 }
        } catch {
            state.withLock { $0.failure = "\(error)" }
        }
    }

    /// Checkpoints done so far, and why they stopped if they did (for tests).
    var status: (checkpoints: Int, failure: String?) { state.withLock { ($0.checkpoints, $0.failure) } }

    /// Waits for the queued checkpoint, if any.
    func drain() { queue.sync {} }

    /// Waits for the queued checkpoint and closes the connection: before the database's files go.
    func close() throws {
        drain()
        try connection.close()
    }
}
