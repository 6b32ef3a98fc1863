import Core
import Experiments
import LuaHost
import StorageModel
import Synchronization

/// Keeps this node's record of the script versions it serves (`node_script_versions` on
/// PostgreSQL, see ``NodeScriptVersionLogging``): the set in force at start, after every accepted
/// reload, and at each heartbeat, which also says the node is alive; closed at a clean stop.
/// `quanzi ab analyze` compares the nodes' records (`NodeVersionAgreement`).
public final class ScriptVersionRecorder: Sendable {
    /// How often `quanzi serve` re-records the set in force (a heartbeat).
    public static let heartbeatSeconds = 60
    /// How long after its last heartbeat a node that never closed its rows (it crashed) still
    /// counts as serving them: three heartbeats, so one late or failed write does not cut a live
    /// node's interval short.
    public static let openRowGraceSeconds = Int64(3 * heartbeatSeconds)

    private let log: any NodeScriptVersionLogging
    private let holder: ScriptHolder
    private let clock: any Clock
    /// Held while writing, so the last write records the set in force however a reload and a
    /// heartbeat interleave; true once stopped (nothing is recorded after).
    private let stopped = Mutex(false)

    init(log: any NodeScriptVersionLogging, holder: ScriptHolder, clock: any Clock) {
        self.log = log
        self.holder = holder
        self.clock = clock
    }

    /// This node, as its rows name it.
    public var nodeID: String { log.nodeID }

    /// Records the set in force now (whatever the caller pinned). Synchronous: it writes to the
    /// database, so call it off the cooperative pool.
    public func recordServing() throws {
        try stopped.withLock { isStopped in
            guard !isStopped else { return }
            try log.recordServing(holder.serving.versions.files, at: clock.nowEpochSeconds)
        }
    }

    /// Closes this node's rows: it serves nothing from now on. Later calls do nothing.
    public func stop() throws {
        try stopped.withLock { isStopped in
            guard !isStopped else { return }
            isStopped = true
            try log.stopServing(at: clock.nowEpochSeconds)
        }
    }
}

extension QuanziService {
    /// This node's ``ScriptVersionRecorder``, made on the first call and hooked to every accepted
    /// reload (a failed write there goes to `onFailure`; the next heartbeat writes it again); nil
    /// when the backend has a single node (SQLite) and there is nothing to compare. It records
    /// nothing by itself: call ``ScriptVersionRecorder/recordServing()`` at start and at each
    /// heartbeat, and ``ScriptVersionRecorder/stop()`` at a clean stop (`quanzi serve` does).
    public func startRecordingScriptVersions(onFailure: @escaping @Sendable (any Error) -> Void) -> ScriptVersionRecorder? {
        guard let log = storage.nodeScriptVersions else { return nil }
        let (recorder, created) = versionRecorder.withLock { slot in
            if let slot { return (slot, false) }
            let made = ScriptVersionRecorder(log: log, holder: holder, clock: clock)
            slot = made
            return (made, true)
        }
        if created {
            onReload { _ in
                do { try recorder.recordServing() } catch { onFailure(error) }
            }
        }
        return recorder
    }
}
