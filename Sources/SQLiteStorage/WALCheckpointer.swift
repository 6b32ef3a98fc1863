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
///
/// The WAL starts again from its beginning only when a write transaction begins with every
/// frame already copied. The writer begins its next group right after a commit, while the copy
/// runs, so on its own the WAL never restarted: a 100,000-user, 14-day simulation grew it to
/// 22 GB in /dev/shm. Once the WAL holds `restartFrames`, the writer waits at a commit for the
/// copy to finish (`restartDue`), and its next transaction starts the WAL over.
final class WALCheckpointer: Sendable {
    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "quanzi.wal-checkpoint")
    private struct State {
        /// A checkpoint is queued and has not started: another request adds nothing.
        var queued = false
        var failure: String?
        var checkpoints = 0
        /// Frames in the WAL at the last checkpoint (0 after a wait that let it restart).
        var walFrames = 0
    }
    private let state = Mutex(State())
    /// WAL frames (pages) past which the writer waits for a checkpoint so that the WAL restarts.
    let restartFrames: Int

    init(path: String, restartFrames: Int) throws {
        self.restartFrames = restartFrames
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
            let (walFrames, _) = try connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            state.withLock {
                $0.checkpoints += 1
                $0.walFrames = walFrames
            }
        } catch {
            state.withLock { $0.failure = "\(error)" }
        }
    }

    /// Called by the writer after `committed()`, between its transactions: when the WAL has grown
    /// past `restartFrames`, waits for the checkpoint just asked for, so that every frame is
    /// copied when the writer's next transaction begins and SQLite starts the WAL over.
    func restartDue() {
        guard state.withLock({ $0.walFrames }) >= restartFrames else { return }
        drain()
        state.withLock { $0.walFrames = 0 }
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
