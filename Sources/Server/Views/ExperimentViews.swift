import Experiments
import StorageModel

/// An experiment as declared, with its effective status (a run-time stop wins over the file).
struct ExperimentView: Codable, Sendable {
    struct Variant: Codable, Sendable {
        let name: String
        let weight: Double
    }

    let id: String
    let title: String?
    let status: String
    let declaredStatus: String
    let traffic: Double
    let layer: String?
    let variants: [Variant]
    let primaryMetric: String
    let secondaryMetrics: [String]
    let guardrails: [String]
    let exposedUsers: Int
    /// The last run-time status change (a stop), when there was one.
    let changedAt: Int64?
    let changeReason: String?
    /// Where the experiment is declared, `file:line`.
    let source: String

    init(_ spec: ExperimentSpec, status: ExperimentStatus, exposedUsers: Int, change: ExperimentStateChange?) {
        id = spec.id
        title = spec.title
        self.status = status.rawValue
        declaredStatus = spec.status.rawValue
        traffic = spec.traffic
        layer = spec.layer?.name
        variants = spec.variants.map { Variant(name: $0.name, weight: $0.weight) }
        primaryMetric = spec.primaryMetric
        secondaryMetrics = spec.secondaryMetrics
        guardrails = spec.guardrails.map(\.metric)
        self.exposedUsers = exposedUsers
        changedAt = change?.changedAtEpochSeconds
        changeReason = change?.reason
        source = "\(spec.file):\(spec.line)"
    }

    enum CodingKeys: String, CodingKey {
        case id, title, status, declaredStatus = "declared_status", traffic, layer, variants, primaryMetric = "primary_metric", secondaryMetrics = "secondary_metrics", guardrails, exposedUsers = "exposed_users", changedAt = "changed_at", changeReason = "change_reason", source
    }
}

struct ExperimentsView: Codable, Sendable {
    let experiments: [ExperimentView]
}
