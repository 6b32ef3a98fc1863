import BlockingWork
import Core
import CoreMetrics
import Experiments
import Logging
import Service
import ServiceLifecycle

/// Runs the ``ExperimentWatcher`` while `quanzi serve` runs: a look at start, then one every
/// interval. The look itself is synchronous database work and runs on the blocking pool, never on
/// the event loop; it reads the time from the service's clock, so a test's manual clock or the
/// simulator's time is what it judges.
struct ExperimentWatchService<Ticks: AsyncSequence & Sendable>: Service where Ticks.Element == Void {
    let watcher: ExperimentWatcher
    let clock: any Clock
    /// When to look: ``WatchTicks`` in `quanzi serve`; tests feed ticks by hand.
    let ticks: Ticks
    let logger: Logger

    func run() async throws {
        await lookOnce()
        for try await _ in ticks.cancelOnGracefulShutdown() {
            await lookOnce()
        }
    }

    /// One pass, its duration recorded (`quanzi_experiment_watch_duration_seconds` on `/metrics`:
    /// what the watcher costs a node, which `scripts/watch_bench.sh` measures under load).
    func lookOnce() async {
        let now = clock.nowEpochSeconds
        do {
            let duration = try await Blocking.run { () -> Duration in
                let began = ContinuousClock.now
                _ = watcher.look(now: now)
                return ContinuousClock.now - began
            }
            CoreMetrics.Timer(label: MetricName.experimentWatchDuration).recordNanoseconds(duration.nanoseconds)
        } catch {
            logger.error("experiment watcher could not run; retrying at the next tick", metadata: ["error": "\(error)"])
        }
    }
}

/// Logs every look's outcome that matters to a person: changes (notice), lost races and
/// failures; holds only at debug level, since they repeat every interval.
enum ExperimentLogging {
    static func log(_ look: WatchLook, _ logger: Logger) {
        var metadata: Logger.Metadata = [
            "experiment": "\(look.experimentID)", "outcome": "\(look.outcome.rawValue)", "at": "\(look.atEpochSeconds)",
            "exposed": "\(look.exposedPerVariant.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))",
        ]
        for guardrail in look.guardrails { metadata["guardrail.\(guardrail.metric)"] = "\(guardrail.verdict.rawValue)" }
        if let reason = look.decision?.reason { metadata["reason"] = "\(reason)" }
        switch look.outcome {
        case .changed: break  // the change's own line says it (see `log(_ change:)`)
        case .held: logger.debug("experiment held", metadata: metadata)
        case .lostRace: logger.info("experiment changed elsewhere first; re-read it", metadata: metadata)
        case .failed:
            metadata["error"] = "\(look.failure ?? "unknown")"
            logger.error("experiment look failed; retrying at the next look", metadata: metadata)
        }
    }

    /// One structured line per recorded change, whoever made it.
    static func log(_ change: ExperimentChange, _ logger: Logger) {
        logger.notice(
            "experiment \(change.kind.rawValue)",
            metadata: [
                "experiment": "\(change.experimentID)", "kind": "\(change.kind.rawValue)", "status": "\(change.status.rawValue)",
                "revision": "\(change.revision)", "step": "\(change.step + 1)", "traffic": "\(change.traffic)", "actor": "\(change.actor)",
                "reason": "\(change.reason)", "variant": "\(change.variant ?? "")", "at": "\(change.atEpochSeconds)",
                "evidence": "\(change.evidence.joined(separator: " | "))",
            ])
    }
}
