import Experiments
import StorageModel

/// An experiment as declared, with where the service has it: effective status (a run-time
/// change wins over the file), ramp step and traffic served, exposed users per variant, every
/// recorded change with who and why, and when the watcher looks next.
struct ExperimentView: Codable, Sendable {
    struct Variant: Codable, Sendable {
        let name: String
        let weight: Double
        let exposedUsers: Int

        enum CodingKeys: String, CodingKey {
            case name, weight, exposedUsers = "exposed_users"
        }
    }

    struct Step: Codable, Sendable {
        let traffic: Double
        let holdHours: Double?

        enum CodingKeys: String, CodingKey {
            case traffic, holdHours = "hold_hours"
        }
    }

    let id: String
    let title: String?
    let status: String
    let declaredStatus: String
    /// The share served now (the ramp step's; 0 once stopped; 1 once shipped).
    let traffic: Double
    let declaredTraffic: Double
    let ramp: [Step]
    /// The current ramp step, 1-based as people count them (nil without a ramp).
    let rampStep: Int?
    /// A person holds the ramp at its step (the watcher leaves it there).
    let rampHeld: Bool
    let minExposedPerVariant: Int
    let shippedVariant: String?
    let layer: String?
    let variants: [Variant]
    let primaryMetric: String
    let secondaryMetrics: [String]
    let guardrails: [String]
    let exposedUsers: Int
    /// The last run-time change, when there was one.
    let changedAt: Int64?
    let changeReason: String?
    /// Every run-time change, oldest first.
    let history: [ExperimentChange]
    /// When this node's watcher looks next (nil when not running or not watched here).
    let nextCheckAt: Int64?
    /// Where the experiment is declared, `file:line`.
    let source: String

    init(_ spec: ExperimentSpec, lifecycle: ExperimentLifecycle, traffic: Double, exposedPerVariant: [String: Int], history: [ExperimentChange],
         nextCheckAt: Int64?) {
        id = spec.id
        title = spec.title
        status = lifecycle.status.rawValue
        declaredStatus = spec.status.rawValue
        self.traffic = traffic
        declaredTraffic = spec.traffic
        ramp = spec.ramp.map { Step(traffic: $0.traffic, holdHours: $0.holdSeconds.map { Double($0) / 3_600 }) }
        rampStep = spec.ramp.isEmpty ? nil : lifecycle.step + 1
        rampHeld = lifecycle.held
        minExposedPerVariant = spec.minExposedPerVariant
        shippedVariant = lifecycle.shippedVariant
        layer = spec.layer?.name
        variants = spec.variants.map { Variant(name: $0.name, weight: $0.weight, exposedUsers: exposedPerVariant[$0.name] ?? 0) }
        primaryMetric = spec.primaryMetric
        secondaryMetrics = spec.secondaryMetrics
        guardrails = spec.guardrails.map(\.metric)
        exposedUsers = exposedPerVariant.values.reduce(0, +)
        changedAt = lifecycle.revision > 0 ? lifecycle.changedAtEpochSeconds : nil
        changeReason = lifecycle.revision > 0 ? lifecycle.reason : nil
        self.history = history
        self.nextCheckAt = lifecycle.status == .running ? nextCheckAt : nil
        source = "\(spec.file):\(spec.line)"
    }

    enum CodingKeys: String, CodingKey {
        case id, title, status, declaredStatus = "declared_status", traffic, declaredTraffic = "declared_traffic", ramp, rampStep = "ramp_step", rampHeld = "ramp_held"
        case minExposedPerVariant = "min_exposed_per_variant", shippedVariant = "shipped_variant", layer, variants
        case primaryMetric = "primary_metric", secondaryMetrics = "secondary_metrics", guardrails, exposedUsers = "exposed_users"
        case changedAt = "changed_at", changeReason = "change_reason", history, nextCheckAt = "next_check_at", source
    }
}

struct ExperimentsView: Codable, Sendable {
    let experiments: [ExperimentView]
}
