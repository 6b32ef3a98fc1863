import Core
import Experiments
import StorageModel
import Synchronization

/// What the watcher found for one experiment at one look.
public struct WatchLook: Sendable {
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// The look recorded a change (start, next step, stop).
        case changed
        /// Nothing to change now (hold, waiting for data, last step).
        case held
        /// Another node (or a person) changed the experiment first; this node re-read it and
        /// did nothing (the change is theirs).
        case lostRace = "lost_race"
        /// The analysis failed (a database error, say); the next look tries again.
        case failed
    }

    public var experimentID: String
    public var atEpochSeconds: Int64
    public var outcome: Outcome
    /// The decision, when the analysis ran.
    public var decision: RampController.Decision?
    /// The change this node recorded (outcome `changed`).
    public var change: ExperimentChange?
    /// The guardrails as judged at this look (always-valid intervals).
    public var guardrails: [ExperimentReport.GuardrailResult]
    /// Exposed users per variant in the analysis (forced users left out).
    public var exposedPerVariant: [String: Int]
    /// Why the look failed (outcome `failed`).
    public var failure: String?
}

/// Looks at every running experiment on a schedule and applies ``RampController``: starts it,
/// moves its ramp on, or stops it when a guardrail is violated. It judges guardrails with the
/// always-valid (sequential) intervals, because it looks every few minutes for the whole run and
/// fixed-horizon intervals read that often would stop healthy experiments far more often than α.
///
/// `look(now:)` is the whole of one pass and takes the time it judges as an argument, so the
/// service (on the wall clock), the simulator (on simulated time) and tests (on a manual clock)
/// run the same code. Several nodes may watch the same database: each decides from the state it
/// has, and ``ExperimentService/record(_:)`` lets only one of them write a given revision.
public final class ExperimentWatcher: Sendable {
    public static let actor = "watcher"
    public let intervalSeconds: Int64
    let experiments: ExperimentService
    /// The experiments looked at; nil: every running one (the service). The simulator watches
    /// the one it simulates.
    let only: Set<String>?
    /// Reads the metrics: by default the backend's incremental reader where it has one
    /// (SQLite), else the service's own (a full pass per look).
    let reader: (any MetricReading)?
    private let observers = Mutex<[@Sendable (WatchLook) -> Void]>([])

    public init(experiments: ExperimentService, intervalSeconds: Int64, only: Set<String>? = nil, reader: (any MetricReading)? = nil) {
        self.reader = reader ?? experiments.watchMetricReader
        precondition(intervalSeconds > 0, "the watch interval must be positive")
        self.experiments = experiments
        self.intervalSeconds = intervalSeconds
        self.only = only
    }

    /// Registers `observer` for every look (metrics, log lines).
    public func onLook(_ observer: @escaping @Sendable (WatchLook) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// One pass over every running experiment, judged at `now`. Blocks on the database: call it
    /// off the event loop. One experiment's failure does not keep the others from being looked at.
    @discardableResult
    public func look(now: Int64) -> [WatchLook] {
        // One set of experiments for the whole look, whatever a reload does meanwhile.
        experiments.withPinnedScripts { lookPinned(now: now) }
    }

    private func lookPinned(now: Int64) -> [WatchLook] {
        var looks: [WatchLook] = []
        for spec in experiments.experiments.experiments {
            guard experiments.status(of: spec) == .running, only?.contains(spec.id) ?? true else { continue }
            if let start = spec.startAtEpochSeconds, now < start { continue }
            looks.append(look(at: spec, now: now))
        }
        experiments.nextCheckAtEpochSeconds = now.addingReportingOverflow(intervalSeconds).partialValue
        experiments.rememberLooks(looks)
        let observers = self.observers.withLock { $0 }
        for look in looks {
            for observer in observers { observer(look) }
        }
        return looks
    }

    private func look(at spec: ExperimentSpec, now: Int64) -> WatchLook {
        var look = WatchLook(experimentID: spec.id, atEpochSeconds: now, outcome: .held, decision: nil, change: nil, guardrails: [],
                             exposedPerVariant: [:], failure: nil)
        do throws(QuanziError) {
            let lifecycle = experiments.currentLifecycle(of: spec)
            let report = try experiments.analyze(spec.id, now: now, applyGuardrails: false, sequential: true, reader: reader)
            look.guardrails = report.guardrails
            look.exposedPerVariant = Dictionary(report.variants.map { ($0.name, $0.users) }, uniquingKeysWith: +)
            let decision = RampController.decide(spec: spec, lifecycle: lifecycle, report: report, now: now)
            look.decision = decision
            guard let change = decision.change(for: spec, from: lifecycle, at: now, actor: Self.actor) else { return look }
            if try experiments.record(change) {
                look.outcome = .changed
                look.change = change
            } else {
                look.outcome = .lostRace
                try QuanziError.wrapping { _ = try experiments.refreshControl() }
            }
        } catch {
            look.outcome = .failed
            look.failure = error.description
        }
        return look
    }
}
