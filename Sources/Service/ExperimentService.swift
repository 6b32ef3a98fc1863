import Core
import Experiments
import LuaHost
import Social
import StorageModel
import Synchronization

/// Experiments in the running service: assignment with QA overrides and stops from the
/// database, and exposure logging once per (user, experiment).
public final class ExperimentService: ExperimentControl {
    public let engine: ExperimentEngine
    public let store: any ExperimentRepository
    /// Reads the events experiment analysis needs.
    let metricReader: any MetricReading
    private let clock: any Clock

    private struct ControlState {
        var overrides: [String: [UserID: String]]
        var statuses: [String: ExperimentStatus]
    }

    private let control: Mutex<ControlState>
    /// "experiment|user" keys already exposed: the common case costs a set lookup, not a write.
    private let exposed: Mutex<Set<String>>

    init(engine: ExperimentEngine, store: any ExperimentRepository, metrics: any MetricReading, clock: any Clock) throws {
        self.engine = engine
        self.store = store
        self.metricReader = metrics
        self.clock = clock
        let statuses = try store.stateChanges().compactMapValues { ExperimentStatus(rawValue: $0.status) }
        control = Mutex(ControlState(overrides: try store.overrides(), statuses: statuses))
        exposed = Mutex(Set(try store.allExposureKeys().map { "\($0.experiment)|\($0.user)" }))
    }

    public var experiments: ExperimentSet { engine.experiments }

    public func forcedVariant(experiment: String, user: UserID) -> String? {
        control.withLock { $0.overrides[experiment]?[user] }
    }

    public func runtimeStatus(experiment: String) -> ExperimentStatus? {
        control.withLock { $0.statuses[experiment] }
    }

    /// The effective status: a run-time stop wins over the file.
    public func status(of experiment: ExperimentSpec) -> ExperimentStatus {
        runtimeStatus(experiment: experiment.id) ?? experiment.status
    }

    /// The assignment, without logging anything (for `quanzi ab assign` and the REPL).
    public func assign(_ user: UserProfile, to experiment: String) throws(QuanziError) -> ExperimentAssignment {
        try engine.assign(user, to: experiment, control: self)
    }

    /// What a plugin gets through `quanzi.ab.*`: the assignment, with the first exposure logged.
    public func expose(_ user: UserProfile, to experiment: String) throws(QuanziError) -> ExperimentAssignment {
        let assignment = try assign(user, to: experiment)
        guard assignment.exposes, let variant = assignment.variant else { return assignment }
        let key = "\(experiment)|\(user.id)"
        guard !exposed.withLock({ $0.contains(key) }) else { return assignment }
        try QuanziError.wrapping {
            try store.recordExposure(experiment: experiment, user: user.id, variant: variant.name, at: clock.nowEpochSeconds)
        }
        exposed.withLock { _ = $0.insert(key) }
        return assignment
    }

    /// Re-reads the run-time stops and forced variants from the store: on a database several
    /// nodes share, another node may have written them (``FeedFollower`` calls this when it sees
    /// an `experiment.stopped` event, and on a timer for forced variants, which write no event).
    /// Returns whether anything changed.
    @discardableResult
    public func refreshControl() throws -> Bool {
        let statuses = try store.stateChanges().compactMapValues { ExperimentStatus(rawValue: $0.status) }
        let overrides = try store.overrides()
        return control.withLock { state in
            let changed = state.statuses != statuses || state.overrides != overrides
            state = ControlState(overrides: overrides, statuses: statuses)
            return changed
        }
    }

    /// Forces `user` into `variant` for QA; such users are left out of analysis.
    public func force(_ user: UserID, into variant: String, experiment: String) throws(QuanziError) {
        let spec = try engine.spec(experiment)
        guard spec.variants.contains(where: { $0.name == variant }) else {
            throw QuanziError(.variantNotFound, "experiment '\(experiment)' has no variant '\(variant)' (variants: \(spec.variants.map(\.name).joined(separator: ", ")))")
        }
        try QuanziError.wrapping { try store.force(experiment: experiment, user: user, variant: variant, at: clock.nowEpochSeconds) }
        control.withLock { $0.overrides[experiment, default: [:]][user] = variant }
    }

    /// Longest reason a person may give for a stop (API and CLI), checked by `UserText`.
    public static let stopReasonBytesMax = 500

    /// Stops an experiment on a person's word (API, CLI): the reason is user text, held to
    /// `UserText`'s rule before anything changes.
    public func stop(_ experiment: String, personReason reason: String) throws(QuanziError) {
        try UserText.check(reason, maxBytes: Self.stopReasonBytesMax, what: "stop reason")
        try stop(experiment, reason: reason)
    }

    /// Stops an experiment: from now on everyone gets control. `at` defaults to the clock; an
    /// analysis that trips a guardrail passes its own time, the end of the data it judged.
    public func stop(_ experiment: String, reason: String, at time: Int64? = nil) throws(QuanziError) {
        _ = try engine.spec(experiment)
        try QuanziError.wrapping { try store.stop(experiment: experiment, reason: reason, at: time ?? clock.nowEpochSeconds) }
        control.withLock { $0.statuses[experiment] = .stopped }
    }
}
