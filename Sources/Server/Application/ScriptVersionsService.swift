import BlockingWork
import Logging
import Service
import ServiceLifecycle

/// Records which script versions this node serves while `quanzi serve` runs on a database shared
/// by several nodes (``ScriptVersionRecorder``): at start, at every accepted reload (the recorder
/// hooks itself to them), at each heartbeat tick, and closed at a clean stop, after the server
/// has drained. A failed write is logged and the next tick writes again.
struct ScriptVersionsService<Ticks: AsyncSequence & Sendable>: Service where Ticks.Element == Void {
    let recorder: ScriptVersionRecorder
    /// ``SweepTicks`` every ``ScriptVersionRecorder/heartbeatSeconds`` in `quanzi serve`.
    let ticks: Ticks
    let logger: Logger

    func run() async throws {
        await record("recorded the script versions this node serves")
        for try await _ in ticks.cancelOnGracefulShutdown() {
            await record(nil)
        }
        let recorder = self.recorder
        do {
            try await Blocking.anyThread { try recorder.stop() }
            logger.info("closed this node's script versions", metadata: ["node": "\(recorder.nodeID)"])
        } catch {
            logger.error("closing this node's script versions failed", metadata: ["node": "\(recorder.nodeID)", "error": "\(error)"])
        }
    }

    private func record(_ message: Logger.Message?) async {
        let recorder = self.recorder
        do {
            try await Blocking.anyThread { try recorder.recordServing() }
            if let message { logger.info(message, metadata: ["node": "\(recorder.nodeID)"]) }
        } catch {
            logger.error(
                "recording the script versions this node serves failed; retrying at the next heartbeat",
                metadata: ["node": "\(recorder.nodeID)", "error": "\(error)"])
        }
    }
}
