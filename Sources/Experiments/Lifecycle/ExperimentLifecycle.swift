/// One step of a ramp: the share of eligible users served, held at least `holdSeconds` before the
/// service may move on (nil on the last step, which holds until someone decides).
public struct RampStep: Sendable, Hashable, Codable {
    public var traffic: Double
    public var holdSeconds: Int64?

    public init(traffic: Double, holdSeconds: Int64? = nil) {
        self.traffic = traffic
        self.holdSeconds = holdSeconds
    }
}

/// Where a running experiment is, as the service records it: its status, its ramp step and since
/// when, the shipped variant, and a revision that counts the changes made so far.
///
/// The revision is what makes a change safe on several nodes: a change is written only as
/// revision + 1 of the state it was decided from, so of two nodes deciding the same step from the
/// same state, one writes and the other finds its revision taken and does nothing.
public struct ExperimentLifecycle: Sendable, Hashable {
    public var status: ExperimentStatus
    /// Index into the spec's ramp (0 without a ramp).
    public var step: Int
    /// When the current step began; nil until the service has recorded the start.
    public var stepStartedAtEpochSeconds: Int64?
    public var shippedVariant: String?
    /// Changes recorded so far (0: none; the file's status holds).
    public var revision: Int64
    public var changedAtEpochSeconds: Int64?
    public var reason: String?
    /// A person holds the ramp at its step: the service does not move it on (a violated
    /// guardrail still stops it) until someone releases the hold or advances it by hand.
    public var held: Bool

    public init(
        status: ExperimentStatus, step: Int = 0, stepStartedAtEpochSeconds: Int64? = nil, shippedVariant: String? = nil, revision: Int64 = 0,
        changedAtEpochSeconds: Int64? = nil, reason: String? = nil, held: Bool = false
    ) {
        self.held = held
        self.status = status
        self.step = step
        self.stepStartedAtEpochSeconds = stepStartedAtEpochSeconds
        self.shippedVariant = shippedVariant
        self.revision = revision
        self.changedAtEpochSeconds = changedAtEpochSeconds
        self.reason = reason
    }

    /// The state of an experiment nobody has changed at run time: the file's status, first step.
    public static func declared(_ spec: ExperimentSpec) -> ExperimentLifecycle {
        ExperimentLifecycle(status: spec.status)
    }

    /// The state after `change` (which must be this state's next revision).
    public func applying(_ change: ExperimentChange) -> ExperimentLifecycle {
        var next = self
        next.revision = change.revision
        next.status = change.status
        next.changedAtEpochSeconds = change.atEpochSeconds
        next.reason = change.reason
        if next.step != change.step || stepStartedAtEpochSeconds == nil { next.stepStartedAtEpochSeconds = change.atEpochSeconds }
        next.step = change.step
        next.shippedVariant = change.kind == .shipped ? change.variant : (change.status == .shipped ? shippedVariant : nil)
        next.held = switch change.kind {
        case .held: true
        case .released: false
        default: change.status == .running && held
        }
        return next
    }
}

/// A change to a running experiment, with who made it and why: recorded in the database as the
/// state's next revision, written to the events, logged, exported and optionally posted to a URL.
public struct ExperimentChange: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The service began serving the experiment's first step.
        case started
        /// The ramp moved to its next step.
        case advanced
        /// Everyone gets control from now on (a guardrail, or a person).
        case stopped
        /// Every targeted user gets `variant` from now on.
        case shipped
        /// A person holds the ramp at its step: the watcher stops moving it on.
        case held
        /// A person releases a hold: the watcher may move the ramp on again.
        case released
    }

    public var experimentID: String
    /// The state's revision this change creates.
    public var revision: Int64
    public var kind: Kind
    /// The status after the change.
    public var status: ExperimentStatus
    /// The ramp step after the change.
    public var step: Int
    /// The traffic share served after the change (0 once stopped; 1 once shipped).
    public var traffic: Double
    /// The shipped variant (ship only).
    public var variant: String?
    public var atEpochSeconds: Int64
    /// Who decided: "watcher" (the service on its own), "admin:<user id>", "cli".
    public var actor: String
    public var reason: String
    /// What the decision rested on: the guardrails' explanations and the exposed users per variant.
    public var evidence: [String]

    public init(
        experimentID: String, revision: Int64, kind: Kind, status: ExperimentStatus, step: Int, traffic: Double, variant: String? = nil,
        atEpochSeconds: Int64, actor: String, reason: String, evidence: [String] = []
    ) {
        self.experimentID = experimentID
        self.revision = revision
        self.kind = kind
        self.status = status
        self.step = step
        self.traffic = traffic
        self.variant = variant
        self.atEpochSeconds = atEpochSeconds
        self.actor = actor
        self.reason = reason
        self.evidence = evidence
    }

    enum CodingKeys: String, CodingKey {
        case experimentID = "experiment_id"
        case revision, kind, status, step, traffic, variant
        case atEpochSeconds = "at"
        case actor, reason, evidence
    }
}

/// Why a person's change to an experiment is refused (the service maps these to typed errors).
public enum LifecycleRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownVariant(experiment: String, variant: String, known: [String])
    case notShippable(experiment: String, status: ExperimentStatus)
    /// Advancing, holding and releasing act on a running ramp only.
    case notRunning(experiment: String, status: ExperimentStatus)
    case lastStep(experiment: String, steps: Int)
    case alreadyHeld(experiment: String)
    case notHeld(experiment: String)
    /// Declared running, but the service has not recorded its start (its watcher's first look).
    case notStarted(experiment: String)

    public var description: String {
        switch self {
        case .unknownVariant(let experiment, let variant, let known):
            "experiment '\(experiment)' has no variant '\(variant)' (variants: \(known.joined(separator: ", ")))"
        case .notShippable(let experiment, let status):
            status == .shipped ? "experiment '\(experiment)' is already shipped" : "experiment '\(experiment)' is \(status.rawValue): only a running or stopped experiment can be shipped"
        case .notRunning(let experiment, let status):
            "experiment '\(experiment)' is \(status.rawValue): only a running experiment's ramp can be advanced, held or released"
        case .lastStep(let experiment, let steps):
            steps <= 1 ? "experiment '\(experiment)' has no ramp to advance" : "experiment '\(experiment)' is at its ramp's last step (\(steps) of \(steps))"
        case .alreadyHeld(let experiment): "experiment '\(experiment)''s ramp is already held"
        case .notHeld(let experiment): "experiment '\(experiment)''s ramp is not held"
        case .notStarted(let experiment): "experiment '\(experiment)' has not started yet: the service records its start at its watcher's first look"
        }
    }
}

extension ExperimentLifecycle {
    /// The change a person's stop makes.
    public func stop(_ spec: ExperimentSpec, at now: Int64, actor: String, reason: String) -> ExperimentChange {
        ExperimentChange(experimentID: spec.id, revision: revision + 1, kind: .stopped, status: .stopped, step: step, traffic: 0,
                         atEpochSeconds: now, actor: actor, reason: reason)
    }

    /// The change shipping `variant` makes, or why it cannot.
    public func ship(_ spec: ExperimentSpec, variant: String, at now: Int64, actor: String, reason: String) throws(LifecycleRefusal) -> ExperimentChange {
        guard spec.variant(named: variant) != nil else {
            throw .unknownVariant(experiment: spec.id, variant: variant, known: spec.variants.map(\.name))
        }
        guard status == .running || status == .stopped else { throw .notShippable(experiment: spec.id, status: status) }
        return ExperimentChange(experimentID: spec.id, revision: revision + 1, kind: .shipped, status: .shipped, step: step, traffic: 1,
                                variant: variant, atEpochSeconds: now, actor: actor, reason: reason)
    }
}

extension ExperimentLifecycle {
    /// The change a person's advance makes: the ramp's next step now, whatever its hold time or
    /// data (the person decides; a hold stays as it was).
    public func advance(_ spec: ExperimentSpec, at now: Int64, actor: String, reason: String) throws(LifecycleRefusal) -> ExperimentChange {
        guard status == .running else { throw .notRunning(experiment: spec.id, status: status) }
        guard stepStartedAtEpochSeconds != nil else { throw .notStarted(experiment: spec.id) }
        guard step + 1 < spec.ramp.count else { throw .lastStep(experiment: spec.id, steps: max(1, spec.ramp.count)) }
        return ExperimentChange(experimentID: spec.id, revision: revision + 1, kind: .advanced, status: .running, step: step + 1,
                                traffic: spec.traffic(atStep: step + 1), atEpochSeconds: now, actor: actor, reason: reason)
    }

    /// The change holding the ramp at its step makes.
    public func hold(_ spec: ExperimentSpec, at now: Int64, actor: String, reason: String) throws(LifecycleRefusal) -> ExperimentChange {
        guard status == .running else { throw .notRunning(experiment: spec.id, status: status) }
        guard stepStartedAtEpochSeconds != nil else { throw .notStarted(experiment: spec.id) }
        guard !held else { throw .alreadyHeld(experiment: spec.id) }
        return ExperimentChange(experimentID: spec.id, revision: revision + 1, kind: .held, status: .running, step: step,
                                traffic: spec.traffic(atStep: step), atEpochSeconds: now, actor: actor, reason: reason)
    }

    /// The change releasing a hold makes.
    public func release(_ spec: ExperimentSpec, at now: Int64, actor: String, reason: String) throws(LifecycleRefusal) -> ExperimentChange {
        guard status == .running else { throw .notRunning(experiment: spec.id, status: status) }
        guard stepStartedAtEpochSeconds != nil else { throw .notStarted(experiment: spec.id) }
        guard held else { throw .notHeld(experiment: spec.id) }
        return ExperimentChange(experimentID: spec.id, revision: revision + 1, kind: .released, status: .running, step: step,
                                traffic: spec.traffic(atStep: step), atEpochSeconds: now, actor: actor, reason: reason)
    }
}
