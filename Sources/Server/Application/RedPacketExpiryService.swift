import Logging
import Service
import ServiceLifecycle

/// Sweeps expired red packets while `quanzi serve` runs (``RedPacketExpirySweeper`` decides
/// what to refund; this only waits for each tick and records the outcome). A failed sweep is
/// logged and counted, and the next tick tries again: a database hiccup must not stop the
/// server, and the refunds it missed are still due next time.
struct RedPacketExpiryService<Ticks: AsyncSequence & Sendable>: Service where Ticks.Element == Void {
    let sweeper: RedPacketExpirySweeper
    /// When to sweep: ``SweepTicks`` in `quanzi serve`; tests feed ticks by hand.
    let ticks: Ticks
    let metrics: ServerMetrics
    let logger: Logger

    func run() async throws {
        // Graceful shutdown ends the wait for the next tick at once, and a sweep in progress
        // stops after its current batch (each batch is one committed transaction).
        for try await _ in ticks.cancelOnGracefulShutdown() {
            await sweepOnce()
        }
    }

    /// One sweep, its outcome counted on `/metrics` and logged.
    func sweepOnce() async {
        do {
            let sweep = try await sweeper.sweepOnce(while: { !Task.isShuttingDownGracefully })
            metrics.recordRedPacketRefunds(count: sweep.refunds.count, fen: sweep.refundedFen)
            if !sweep.refunds.isEmpty {
                logger.info(
                    "refunded expired red packets",
                    metadata: ["packets": "\(sweep.refunds.count)", "fen": "\(sweep.refundedFen)", "complete": "\(sweep.isComplete)"])
            }
        } catch {
            metrics.recordRedPacketSweepFailure()
            logger.error("red packet expiry sweep failed; retrying at the next tick", metadata: ["error": "\(error)"])
        }
    }
}

/// A tick every `intervalSeconds`, for ever (until the iterating task is cancelled).
struct SweepTicks: AsyncSequence, Sendable {
    let intervalSeconds: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let intervalSeconds: Int

        mutating func next() async -> Void? {
            do {
                try await Task.sleep(for: .seconds(intervalSeconds))
                return ()
            } catch {
                return nil
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(intervalSeconds: intervalSeconds) }
}

/// A tick every `intervalSeconds`, for ever: the watcher's schedule (its first look is at start).
typealias WatchTicks = SweepTicks
