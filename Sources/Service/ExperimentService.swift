import BlockingWork
import Core
import Experiments
import LuaHost
import Social
import StorageModel
import Synchronization

/// Experiments in the running service: assignment with QA overrides and the recorded lifecycle
/// (ramp step, stop, ship) from the database, and exposure logging once per (experiment, phase,
/// user), with the script versions and node that made the exposure.
public final class ExperimentService: ExperimentControl {
    /// Assignment over the loaded experiments: the request's pinned set, else the one in force.
    public var engine: ExperimentEngine { holder.generation.experimentEngine }
    let holder: ScriptHolder
    public let store: any ExperimentRepository
    /// Profiles, for the segment breakdown (each analysed user as they were when first exposed).
    let users: any UserRepository
    /// Reads the events experiment analysis needs.
    let metricReader: any MetricReading
    /// What the watcher reads between looks when the backend can read incrementally (SQLite):
    /// a look then costs the rows added since the last one, not the experiment's whole history.
    let watchMetricReader: (any MetricReading)?
    private let clock: any Clock
    /// This node, on a database several nodes share (nil on SQLite): recorded with each exposure.
    let node: String?
    /// What every node recorded serving, to check that they agreed (nil on SQLite).
    let nodeVersions: (any NodeScriptVersionLogging)?

    private struct ControlState {
        var overrides: [String: [UserID: String]]
        /// Experiments with at least one recorded change.
        var lifecycles: [String: ExperimentLifecycle]
    }

    private let control: Mutex<ControlState>
    /// Exposures already recorded: the common case costs a set lookup, not a write.
    private let exposed: Mutex<Set<ExposureKey>>
    /// Called after each change this node records (metrics, log lines, the notifier).
    private let observers = Mutex<[@Sendable (ExperimentChange) -> Void]>([])
    private let forceObservers = Mutex<[@Sendable (ForcedVariant) -> Void]>([])
    /// When the watcher looks next (nil: no watcher in this process).
    private let nextCheck = Mutex<Int64?>(nil)
    /// The watcher's latest look at each experiment, in this process.
    private let lastLooks = Mutex<[String: WatchLook]>([:])

    init(holder: ScriptHolder, store: any ExperimentRepository, users: any UserRepository, metrics: any MetricReading, clock: any Clock,
         watchMetrics: (any MetricReading)? = nil, node: String? = nil, nodeVersions: (any NodeScriptVersionLogging)? = nil) throws {
        self.users = users
        self.watchMetricReader = watchMetrics
        self.node = node
        self.nodeVersions = nodeVersions
        self.holder = holder
        self.store = store
        self.metricReader = metrics
        self.clock = clock
        control = Mutex(ControlState(overrides: try store.overrides(), lifecycles: try store.lifecycles()))
        exposed = Mutex(Set(try store.allExposureKeys()))
    }

    public var experiments: ExperimentSet { engine.experiments }

    /// Runs `body` on one set of experiments from start to end (the caller's pinned set, else
    /// the one in force now), however many reloads happen meanwhile: the watcher's look.
    public func withPinnedScripts<T>(_ body: () throws -> T) rethrows -> T {
        try Blocking.$pinned.withValue(holder.generation) { try body() }
    }

    /// The versions of the experiment file `experiment` is served from now, and its phase.
    public func servedVersion(of experiment: String) -> String? { holder.generation.experimentVersion(of: experiment) }

    public func forcedVariant(experiment: String, user: UserID) -> String? {
        control.withLock { $0.overrides[experiment]?[user] }
    }

    public func lifecycle(experiment: String) -> ExperimentLifecycle? {
        control.withLock { $0.lifecycles[experiment] }
    }

    /// The lifecycle in force: the recorded one, else the file's.
    public func currentLifecycle(of spec: ExperimentSpec) -> ExperimentLifecycle {
        lifecycle(experiment: spec.id) ?? .declared(spec)
    }

    /// The effective status: a run-time change wins over the file.
    public func status(of experiment: ExperimentSpec) -> ExperimentStatus {
        currentLifecycle(of: experiment).status
    }

    /// The traffic share served now (the ramp step's; 0 once stopped, 1 once shipped).
    public func currentTraffic(of spec: ExperimentSpec) -> Double {
        let lifecycle = currentLifecycle(of: spec)
        switch lifecycle.status {
        case .running: return spec.traffic(atStep: lifecycle.step)
        case .shipped: return 1
        case .draft, .stopped: return 0
        }
    }

    /// Every recorded change of `experiment`, oldest first.
    public func changes(of experiment: String) throws(QuanziError) -> [ExperimentChange] {
        try QuanziError.wrapping { try store.allChanges()[experiment] ?? [] }
    }

    /// Registers `observer` for each change this node records.
    public func onChange(_ observer: @escaping @Sendable (ExperimentChange) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// When the watcher looks next, if one runs in this process.
    public var nextCheckAtEpochSeconds: Int64? {
        get { nextCheck.withLock { $0 } }
        set { nextCheck.withLock { $0 = newValue } }
    }

    /// The watcher's latest look at `experiment` in this process (nil before its first).
    public func lastLook(of experiment: String) -> WatchLook? { lastLooks.withLock { $0[experiment] } }

    func rememberLooks(_ looks: [WatchLook]) {
        lastLooks.withLock { last in for look in looks { last[look.experimentID] = look } }
    }

    /// The assignment, without logging anything (for `quanzi ab assign` and the REPL).
    public func assign(_ user: UserProfile, to experiment: String) throws(QuanziError) -> ExperimentAssignment {
        try engine.assign(user, to: experiment, control: self)
    }

    /// The assignment of each of `users`, nothing logged: as `assign` for each in turn, their
    /// targeting run in one entry into Lua.
    public func assign(_ users: [UserProfile], to experiment: String) throws(QuanziError) -> [ExperimentAssignment] {
        try engine.assign(users, to: experiment, control: self)
    }

    /// What a plugin gets through `quanzi.ab.*` (and a client through the API): the assignment,
    /// with the user's first exposure in the experiment's current phase logged. `circle`: the
    /// circle whose rule or ranking asked, whose plugin version the exposure records (nil for a
    /// client). The experiment, its phase and both versions come from one set of scripts (the
    /// request's pinned set, else the one in force).
    public func expose(_ user: UserProfile, to experiment: String, circle: CircleID? = nil) throws(QuanziError) -> ExperimentAssignment {
        try exposeRecording(user, to: experiment, circle: circle).assignment
    }

    /// ``expose(_:to:circle:)``, saying whether this call wrote the exposure: false when the user
    /// was exposed in this phase before, on this node or (the store's key decides) on another.
    func exposeRecording(_ user: UserProfile, to experiment: String, circle: CircleID? = nil) throws(QuanziError)
        -> (assignment: ExperimentAssignment, logged: Bool)
    {
        let scripts = holder.generation
        let assignment = try scripts.experimentEngine.assign(user, to: experiment, control: self)
        guard assignment.exposes, let variant = assignment.variant else { return (assignment, false) }
        let phase = try scripts.experimentEngine.spec(experiment).phase
        let key = ExposureKey(experiment: experiment, phase: phase, user: user.id)
        guard !exposed.withLock({ $0.contains(key) }) else { return (assignment, false) }
        let exposure = ExperimentExposure(
            userID: user.id, variant: variant.name, firstExposedAtEpochSeconds: clock.nowEpochSeconds, phase: phase,
            experimentVersion: scripts.experimentVersion(of: experiment), pluginVersion: circle.flatMap { scripts.pluginVersion(ofCircle: $0) },
            node: node)
        let written = try QuanziError.wrapping { try store.recordExposure(exposure, experiment: experiment) }
        exposed.withLock { _ = $0.insert(key) }
        return (assignment, written)
    }

    /// Re-reads the run-time changes and forced variants from the store: on a database several
    /// nodes share, another node may have written them (``FeedFollower`` calls this when it sees
    /// an `experiment.*` event, and on a timer for forced variants, which write no event).
    /// Returns whether anything changed.
    @discardableResult
    public func refreshControl() throws -> Bool {
        let lifecycles = try store.lifecycles()
        let overrides = try store.overrides()
        return control.withLock { state in
            let changed = state.lifecycles != lifecycles || state.overrides != overrides
            state = ControlState(overrides: overrides, lifecycles: lifecycles)
            return changed
        }
    }

    /// Forces `user` into `variant` for QA; such users are left out of analysis.
    public func force(_ user: UserID, into variant: String, experiment: String, actor: String = "cli", reason: String? = nil) throws(QuanziError) {
        let spec = try engine.spec(experiment)
        guard spec.variants.contains(where: { $0.name == variant }) else {
            throw QuanziError(.variantNotFound, "experiment '\(experiment)' has no variant '\(variant)' (variants: \(spec.variants.map(\.name).joined(separator: ", ")))")
        }
        try QuanziError.wrapping {
            try store.force(experiment: experiment, user: user, variant: variant, at: clock.nowEpochSeconds, actor: actor, reason: reason)
        }
        control.withLock { $0.overrides[experiment, default: [:]][user] = variant }
    }

    /// Forces `user` into `variant` on a person's word (the console): the reason is user text,
    /// held to `UserText`'s rule before anything changes; who and why are logged.
    public func force(_ user: UserID, into variant: String, experiment: String, personReason reason: String, actor: String) throws(QuanziError) {
        try UserText.check(reason, maxBytes: Self.stopReasonBytesMax, what: "force reason")
        try force(user, into: variant, experiment: experiment, actor: actor, reason: reason)
        for observer in forceObservers.withLock({ $0 }) { observer(ForcedVariant(experimentID: experiment, userID: user, variant: variant, actor: actor, reason: reason)) }
    }

    /// Registers `observer` for each person's forcing of a user (the server logs them).
    public func onForce(_ observer: @escaping @Sendable (ForcedVariant) -> Void) {
        forceObservers.withLock { $0.append(observer) }
    }

    /// Longest reason a person may give for a stop or a ship (API and CLI), checked by `UserText`.
    public static let stopReasonBytesMax = 500

    /// Stops an experiment on a person's word (API, CLI): the reason is user text, held to
    /// `UserText`'s rule before anything changes.
    public func stop(_ experiment: String, personReason reason: String, actor: String = "cli") throws(QuanziError) {
        try UserText.check(reason, maxBytes: Self.stopReasonBytesMax, what: "stop reason")
        try stop(experiment, reason: reason, actor: actor)
    }

    /// Stops an experiment: from now on everyone gets control. `at` defaults to the clock; an
    /// analysis that trips a guardrail passes its own time, the end of the data it judged.
    public func stop(_ experiment: String, reason: String, at time: Int64? = nil, actor: String = "cli") throws(QuanziError) {
        let spec = try engine.spec(experiment)
        try recordPersonChange(spec) { lifecycle throws(QuanziError) in
            lifecycle.stop(spec, at: time ?? clock.nowEpochSeconds, actor: actor, reason: reason)
        }
    }

    /// Ships `variant` on a person's word: every targeted user gets its params from now on, and
    /// nothing more is exposed. An unknown experiment or variant, or an experiment already
    /// shipped or never started, is refused with nothing changed.
    public func ship(_ experiment: String, variant: String, personReason reason: String, actor: String = "cli") throws(QuanziError) -> ExperimentChange {
        try UserText.check(reason, maxBytes: Self.stopReasonBytesMax, what: "ship reason")
        let spec = try engine.spec(experiment)
        return try recordPersonChange(spec) { lifecycle throws(QuanziError) in
            do throws(LifecycleRefusal) {
                return try lifecycle.ship(spec, variant: variant, at: clock.nowEpochSeconds, actor: actor, reason: reason)
            } catch {
                switch error {
                case .unknownVariant: throw QuanziError(.variantNotFound, error.description)
                case .notShippable, .notRunning, .lastStep, .alreadyHeld, .notHeld, .notStarted: throw QuanziError(.experimentStateConflict, error.description)
                }
            }
        }
    }

    /// Moves a running ramp to its next step on a person's word, whatever its hold time or data.
    @discardableResult
    public func advance(_ experiment: String, personReason reason: String, actor: String = "cli") throws(QuanziError) -> ExperimentChange {
        try personRampChange(experiment, reason: reason, what: "advance reason") { lifecycle, spec, now throws(LifecycleRefusal) in
            try lifecycle.advance(spec, at: now, actor: actor, reason: reason)
        }
    }

    /// Holds a running ramp at its step: the watcher stops moving it on (a violated guardrail
    /// still stops the experiment) until ``release(_:personReason:actor:)`` or a person's advance.
    @discardableResult
    public func hold(_ experiment: String, personReason reason: String, actor: String = "cli") throws(QuanziError) -> ExperimentChange {
        try personRampChange(experiment, reason: reason, what: "hold reason") { lifecycle, spec, now throws(LifecycleRefusal) in
            try lifecycle.hold(spec, at: now, actor: actor, reason: reason)
        }
    }

    /// Releases a held ramp: the watcher may move it on again.
    @discardableResult
    public func release(_ experiment: String, personReason reason: String, actor: String = "cli") throws(QuanziError) -> ExperimentChange {
        try personRampChange(experiment, reason: reason, what: "release reason") { lifecycle, spec, now throws(LifecycleRefusal) in
            try lifecycle.release(spec, at: now, actor: actor, reason: reason)
        }
    }

    private func personRampChange(
        _ experiment: String, reason: String, what: String,
        _ decide: (ExperimentLifecycle, ExperimentSpec, Int64) throws(LifecycleRefusal) -> ExperimentChange
    ) throws(QuanziError) -> ExperimentChange {
        try UserText.check(reason, maxBytes: Self.stopReasonBytesMax, what: what)
        let spec = try engine.spec(experiment)
        return try recordPersonChange(spec) { lifecycle throws(QuanziError) in
            do throws(LifecycleRefusal) {
                return try decide(lifecycle, spec, clock.nowEpochSeconds)
            } catch {
                throw QuanziError(.experimentStateConflict, error.description)
            }
        }
    }

    /// Records a person's change decided from the latest state. Should another node change the
    /// experiment in between, the change is decided again from the new state (a person's stop
    /// still stops); after a few lost races the caller hears so rather than waiting.
    @discardableResult
    private func recordPersonChange(_ spec: ExperimentSpec, _ decide: (ExperimentLifecycle) throws(QuanziError) -> ExperimentChange) throws(QuanziError) -> ExperimentChange {
        for _ in 0..<5 {
            let change = try decide(currentLifecycle(of: spec))
            if try record(change) { return change }
            try QuanziError.wrapping { _ = try refreshControl() }
        }
        throw QuanziError(.experimentStateConflict, "experiment '\(spec.id)' kept changing while this change was made; try again")
    }

    /// Records `change` if its revision is still free (see ``ExperimentRepository/record(_:)``),
    /// updates this node's state and tells the observers. False when another writer got there first.
    func record(_ change: ExperimentChange) throws(QuanziError) -> Bool {
        let written = try QuanziError.wrapping { try store.record(change) }
        guard written else { return false }
        let applied = control.withLock { state in
            let previous = state.lifecycles[change.experimentID] ?? ExperimentLifecycle(status: .draft)
            guard change.revision == previous.revision + 1 else { return false }
            state.lifecycles[change.experimentID] = previous.applying(change)
            return true
        }
        // This node had missed another's change (the store checked the revision, not us): read all.
        if !applied { try QuanziError.wrapping { _ = try refreshControl() } }
        for observer in observers.withLock({ $0 }) { observer(change) }
        return true
    }
}

/// A person forced a user into a variant for QA: who, why.
public struct ForcedVariant: Sendable, Hashable {
    public var experimentID: String
    public var userID: UserID
    public var variant: String
    public var actor: String
    public var reason: String
}
