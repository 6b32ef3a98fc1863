import CLuaShim
import Core
import Experiments
import Social

/// What the service decides at run time, beyond the files: QA overrides, ramp steps, stops and ships.
public protocol ExperimentControl: Sendable {
    /// The variant forced for this user (QA), if any.
    func forcedVariant(experiment: String, user: UserID) -> String?
    /// The lifecycle recorded at run time (ramp step, a stop, a ship) overriding the file's
    /// status; nil when nothing was recorded.
    func lifecycle(experiment: String) -> ExperimentLifecycle?
}

extension ExperimentControl {
    /// A status set at run time (a stop, a ship), if any.
    public func runtimeStatus(experiment: String) -> ExperimentStatus? {
        lifecycle(experiment: experiment).flatMap { $0.revision > 0 ? $0.status : nil }
    }
}

/// No overrides: the files alone decide.
public struct NoExperimentControl: ExperimentControl {
    public init() {}
    public func forcedVariant(experiment: String, user: UserID) -> String? { nil }
    public func lifecycle(experiment: String) -> ExperimentLifecycle? { nil }
}

/// Which variant a user gets, and why.
public struct ExperimentAssignment: Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// In the experiment by hash.
        case assigned
        /// A QA override; excluded from analysis.
        case forced
        /// Draft or stopped (a stopped experiment serves its control to everyone).
        case notRunning(ExperimentStatus)
        case notStarted(startAtEpochSeconds: Int64)
        case notTargeted
        case notInLayerSlice
        case outsideTraffic
        /// The experiment shipped this variant to every targeted user; nothing is exposed.
        case shipped
    }

    public var experimentID: String
    /// The variant served; nil means "not in the experiment: use the plugin's default".
    public var variant: ExperimentSpec.Variant?
    /// The user's hash in [0, 1) when it was computed.
    public var bucket: Double?
    public var reason: Reason

    /// Whether reading this assignment logs an exposure: only users in the experiment by hash
    /// (forced users are recorded separately and never analysed).
    public var exposes: Bool { reason == .assigned }

    public var description: String {
        let served = variant.map { "variant '\($0.name)'" } ?? "not in the experiment"
        let bucketText = bucket.map { String(format: " (bucket %.4f)", $0) } ?? ""
        let why: String =
            switch reason {
            case .assigned: "assigned by hash"
            case .forced: "forced for QA"
            case .notRunning(let status): "experiment is \(status.rawValue)" + (status == .stopped ? ": everyone gets control" : "")
            case .notStarted(let start): "experiment starts at \(start)"
            case .notTargeted: "excluded by targeting"
            case .notInLayerSlice: "outside the experiment's slice of its layer"
            case .outsideTraffic: "outside the traffic share"
            case .shipped: "shipped to every targeted user"
            }
        return "\(served)\(bucketText): \(why)"
    }
}

/// Assigns users to experiments: the pure hash (GrowthBook-compatible) plus status, start time,
/// Lua targeting and QA overrides. Targeting runs in its own pool of Lua states, so a plugin rule
/// that asks for a variant never re-enters the state it runs on.
public final class ExperimentEngine: Sendable {
    public let experiments: ExperimentSet
    let pool: StatePool
    private let clock: any Clock

    public init(experiments: ExperimentSet, dataSource: any ScriptDataSource, clock: any Clock = SystemClock(), limits: ScriptLimits = .default) {
        self.experiments = experiments
        self.clock = clock
        let sources = experiments.sources
        pool = StatePool { () throws(QuanziError) -> PooledState in
            let state: LuaState
            do throws(ScriptError) {
                state = try LuaState(limits: limits, dataSource: dataSource, clock: clock)
            } catch {
                throw error.quanziError
            }
            let (loaded, _, problems) = state.loadExperiments(sources)
            if !problems.isEmpty { throw QuanziError(.invalidPlugin, problems.map(\.description).joined(separator: "\n")) }
            var targeting: [String: LuaFunction] = [:]
            var segments: [String: [LuaFunction]] = [:]
            for experiment in loaded {
                targeting[experiment.spec.id] = experiment.targeting
                segments[experiment.spec.id] = experiment.segments
            }
            return PooledState(state: state, targeting: targeting, segments: segments)
        }
    }

    public func spec(_ id: String) throws(QuanziError) -> ExperimentSpec {
        guard let spec = experiments.experiment(id) else { throw QuanziError(.experimentNotFound, "no experiment '\(id)'") }
        return spec
    }

    /// The variant `user` gets in `experimentID`, and why.
    public func assign(_ user: UserProfile, to experimentID: String, control: any ExperimentControl = NoExperimentControl()) throws(QuanziError) -> ExperimentAssignment {
        let spec = try spec(experimentID)
        switch plan(user, spec: spec, control: control) {
        case .decided(let assignment): return assignment
        case .targeted(let assignment, let otherwise): return try isTargeted(user, experiment: spec.id) ? assignment : otherwise
        }
    }

    /// The variant each of `users` gets in `experimentID`, and why: as `assign` for each in turn,
    /// with the targeting of every user who needs it run in one entry into Lua.
    public func assign(_ users: [UserProfile], to experimentID: String, control: any ExperimentControl = NoExperimentControl()) throws(QuanziError)
        -> [ExperimentAssignment]
    {
        let spec = try spec(experimentID)
        let plans = users.map { plan($0, spec: spec, control: control) }
        var asking: [Int] = []
        for (index, plan) in plans.enumerated() { if case .targeted = plan { asking.append(index) } }
        let targeted = try isTargeted(asking.map { users[$0] }, experiment: spec.id)
        var answers = targeted.makeIterator()
        return plans.map { plan in
            switch plan {
            case .decided(let assignment): return assignment
            case .targeted(let assignment, let otherwise): return answers.next()! ? assignment : otherwise
            }
        }
    }

    /// An assignment decided without Lua, or the two it may be depending on the user's targeting.
    private enum Plan {
        case decided(ExperimentAssignment)
        case targeted(ExperimentAssignment, otherwise: ExperimentAssignment)
    }

    private func plan(_ user: UserProfile, spec: ExperimentSpec, control: any ExperimentControl) -> Plan {
        let lifecycle = control.lifecycle(experiment: spec.id) ?? .declared(spec)
        let status = lifecycle.status
        if status == .shipped, let name = lifecycle.shippedVariant, let shipped = spec.variant(named: name) {
            let assignment = ExperimentAssignment(experimentID: spec.id, variant: shipped, bucket: nil, reason: .shipped)
            guard spec.hasTargeting else { return .decided(assignment) }
            return .targeted(assignment, otherwise: ExperimentAssignment(experimentID: spec.id, variant: nil, bucket: nil, reason: .notTargeted))
        }
        if status != .running {
            return .decided(
                ExperimentAssignment(experimentID: spec.id, variant: status == .stopped ? spec.control : nil, bucket: nil, reason: .notRunning(status)))
        }
        if let forced = control.forcedVariant(experiment: spec.id, user: user.id), let variant = spec.variants.first(where: { $0.name == forced }) {
            return .decided(ExperimentAssignment(experimentID: spec.id, variant: variant, bucket: nil, reason: .forced))
        }
        if let start = spec.startAtEpochSeconds, clock.nowEpochSeconds < start {
            return .decided(ExperimentAssignment(experimentID: spec.id, variant: nil, bucket: nil, reason: .notStarted(startAtEpochSeconds: start)))
        }
        // The ramp step's share: GrowthBook's ranges only lengthen as coverage grows, so a user
        // keeps the variant from step to step.
        switch Assigner.assign(userId: String(user.id.rawValue), to: spec.assignmentDefinition(traffic: spec.traffic(atStep: lifecycle.step))) {
        case .notInExperiment(let exclusion):
            let reason: ExperimentAssignment.Reason = exclusion == .notInLayerSlice ? .notInLayerSlice : .outsideTraffic
            return .decided(ExperimentAssignment(experimentID: spec.id, variant: nil, bucket: nil, reason: reason))
        case .inExperiment(let index, let bucket):
            let assignment = ExperimentAssignment(experimentID: spec.id, variant: spec.variants[index], bucket: bucket, reason: .assigned)
            // Targeting after the hash: the Lua call is paid only by users inside the traffic.
            guard spec.hasTargeting else { return .decided(assignment) }
            return .targeted(assignment, otherwise: ExperimentAssignment(experimentID: spec.id, variant: nil, bucket: bucket, reason: .notTargeted))
        }
    }

    /// Runs the experiment's `targeting(user)`; true when it has none.
    public func isTargeted(_ user: UserProfile, experiment experimentID: String) throws(QuanziError) -> Bool {
        try isTargeted(user, experiment: experimentID, dataSource: nil)
    }

    /// Runs the experiment's `targeting(user)` for each of `users` in one entry into Lua, with the
    /// same limits per user as one call; throws what the first failing user's call would.
    public func isTargeted(_ users: [UserProfile], experiment experimentID: String) throws(QuanziError) -> [Bool] {
        _ = try spec(experimentID)
        guard !users.isEmpty else { return [] }
        return try pool.withState { pooled throws(QuanziError) -> [Bool] in
            guard let function = pooled.targeting[experimentID] else { return Array(repeating: true, count: users.count) }
            let state = pooled.state
            let (answers, failure) = state.callBatch(
                count: users.count, argumentsPerCall: 1, readReasons: false,
                pushFunction: { state.pushReference(function.reference) },
                pushArguments: { state.pushUser(users[$0]) },
                invalid: { Self.invalidTargeting(experimentID, function) })
            if let failure { throw failure.quanziError }
            return answers.map(\.allowed)
        }
    }

    private static func invalidTargeting(_ experimentID: String, _ function: LuaFunction) -> ScriptError {
        ScriptError(kind: .invalidResult, message: "targeting of '\(experimentID)' must return true or false", location: function.location?.description)
    }

    func isTargeted(_ user: UserProfile, experiment experimentID: String, dataSource: (any ScriptDataSource)?) throws(QuanziError) -> Bool {
        _ = try spec(experimentID)
        return try pool.withState { pooled throws(QuanziError) -> Bool in
            guard let function = pooled.targeting[experimentID] else { return true }
            let state = pooled.state
            let original = state.dataSource
            if let dataSource { state.dataSource = dataSource }
            defer { state.dataSource = original }
            do throws(ScriptError) {
                return try state.call(
                    push: {
                        state.pushReference(function.reference)
                        state.pushUser(user)
                        return 1
                    },
                    read: { count throws(ScriptError) -> Bool in
                        guard count >= 1, case .boolean(let targeted) = state.readValue(at: -count) else {
                            throw Self.invalidTargeting(experimentID, function)
                        }
                        return targeted
                    })
            } catch {
                throw error.quanziError
            }
        }
    }
}
