/// What the service does with a running experiment at one look: the pure rule the watcher in
/// `quanzi serve` and the simulator both apply.
///
/// In order: a violated guardrail stops the experiment (whatever the step or the data so far: a
/// violation is already significant evidence); an experiment the service has not recorded as
/// started is started; a ramp moves to its next step only when the step's hold has passed, every
/// variant has `minExposedPerVariant` exposed users, every guardrail is clear (not merely
/// undecided) and the sample ratio is sound; otherwise it holds and says why. It never skips a
/// step.
public enum RampController {
    public enum Action: Sendable, Hashable {
        /// Record the start of the first step.
        case start
        /// Move to the next step.
        case advance(toStep: Int)
        /// Stop: everyone gets control.
        case stop
        /// Nothing to change now.
        case hold
    }

    public struct Decision: Sendable, Hashable {
        public var action: Action
        /// Why, in a sentence.
        public var reason: String
        /// The guardrails' explanations and the exposed users per variant.
        public var evidence: [String]

        public init(action: Action, reason: String, evidence: [String]) {
            self.action = action
            self.reason = reason
            self.evidence = evidence
        }

        /// The change this decision records, as the next revision of `lifecycle`; nil for a hold.
        public func change(for spec: ExperimentSpec, from lifecycle: ExperimentLifecycle, at now: Int64, actor: String) -> ExperimentChange? {
            switch action {
            case .hold: return nil
            case .start:
                return ExperimentChange(experimentID: spec.id, revision: lifecycle.revision + 1, kind: .started, status: .running, step: 0,
                                        traffic: spec.traffic(atStep: 0), atEpochSeconds: now, actor: actor, reason: reason, evidence: evidence)
            case .advance(let step):
                return ExperimentChange(experimentID: spec.id, revision: lifecycle.revision + 1, kind: .advanced, status: .running, step: step,
                                        traffic: spec.traffic(atStep: step), atEpochSeconds: now, actor: actor, reason: reason, evidence: evidence)
            case .stop:
                return ExperimentChange(experimentID: spec.id, revision: lifecycle.revision + 1, kind: .stopped, status: .stopped,
                                        step: lifecycle.step, traffic: 0, atEpochSeconds: now, actor: actor, reason: reason, evidence: evidence)
            }
        }
    }

    /// Decides from `report`, an analysis of `spec` up to `now` whose guardrails were judged with
    /// always-valid intervals (the watcher looks often). `lifecycle.status` must be running.
    public static func decide(spec: ExperimentSpec, lifecycle: ExperimentLifecycle, report: ExperimentReport, now: Int64) -> Decision {
        let exposed = report.variants.map { "\($0.name) \($0.users)" }.joined(separator: ", ")
        let evidence = report.guardrails.map { "\($0.metric) \($0.verdict.rawValue): \($0.explanation)" } + ["exposed: \(exposed)"]
        if let violated = report.guardrails.first(where: { $0.verdict == .violated }) {
            return Decision(action: .stop, reason: "guardrail \(violated.metric): \(violated.explanation)", evidence: evidence)
        }
        guard let started = lifecycle.stepStartedAtEpochSeconds else {
            return Decision(action: .start, reason: "started at \(percent(spec.traffic(atStep: 0))) traffic", evidence: evidence)
        }
        let step = lifecycle.step
        if lifecycle.held {
            return Decision(action: .hold, reason: "held by a person at step \(step + 1)\(lifecycle.reason.map { ": \($0)" } ?? "")", evidence: evidence)
        }
        guard step + 1 < spec.ramp.count else {
            let why = spec.ramp.isEmpty ? "no ramp: traffic holds" : "at the ramp's last step"
            return Decision(action: .hold, reason: "\(why) (\(percent(spec.traffic(atStep: step))))", evidence: evidence)
        }
        let hold = spec.ramp[step].holdSeconds ?? 0
        let (holdEnd, holdOverflow) = started.addingReportingOverflow(hold)
        if holdOverflow || now < holdEnd {
            return Decision(action: .hold, reason: "step \(step + 1) holds until \(holdOverflow ? Int64.max : holdEnd)", evidence: evidence)
        }
        if let short = report.variants.first(where: { $0.users < spec.minExposedPerVariant }) {
            return Decision(action: .hold, reason: "waiting for data: \(short.name) has \(short.users) of the \(spec.minExposedPerVariant) exposed users a step needs",
                            evidence: evidence)
        }
        if let undecided = report.guardrails.first(where: { $0.verdict != .ok }) {
            return Decision(action: .hold, reason: "guardrail \(undecided.metric) is not yet clear: \(undecided.explanation)", evidence: evidence)
        }
        if report.sampleRatio?.mismatch == true {
            return Decision(action: .hold, reason: "sample ratio mismatch: assignment or logging is broken, so the ramp holds", evidence: evidence)
        }
        let next = step + 1
        return Decision(action: .advance(toStep: next),
                        reason: "step \(step + 1) held and every guardrail is clear: \(percent(spec.traffic(atStep: step))) → \(percent(spec.traffic(atStep: next)))",
                        evidence: evidence)
    }

    static func percent(_ share: Double) -> String {
        let value = share * 100
        return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }
}
