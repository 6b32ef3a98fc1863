import Experiments
import Prometheus
import Service
import Synchronization

/// Each experiment's series on `/metrics`: where it is (status, traffic, ramp step), how many
/// users it exposed, what the watcher found at each look, the changes this node recorded and the
/// change notifications (`serve --notify-url`).
///
/// Status, traffic and step are read from ``ExperimentService`` at every scrape, so a node that
/// did not make a change shows it as soon as it knows of it (its own change at once; another
/// node's once its follower has re-read the state). Exposed users are set from each watcher look
/// (the analysis' count, QA-forced users left out) and, for experiments no look has counted yet,
/// from the stored exposures at the first scrape. Counters count what this node did: summed over
/// the nodes, each look, guardrail check and change counts once.
///
/// `quanzi_experiment_status` is a state set (OpenMetrics' StateSet, as kube-state-metrics writes
/// `kube_pod_status_phase`): one series per status, 1 for the current one and 0 for the others,
/// so `quanzi_experiment_status{status="stopped"} == 1` is an alert and a change of status shows
/// as two series flipping rather than as a label disappearing.
final class ExperimentMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    /// Experiments whose exposed-user gauges a look (or the first scrape) has set.
    private let exposureCounted = Mutex<Set<String>>([])

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// The gauges made for each experiment (status, traffic, steps, exposed users), so a reload
    /// that removes its file removes its series too.
    private let gaugesByExperiment = Mutex<[String: [Prometheus.Gauge]]>([:])

    /// Status, traffic share and ramp step of every experiment, from the service's current state;
    /// the series of experiments no longer loaded are unregistered.
    func refresh(from experiments: ExperimentService) {
        let loaded = Set(experiments.experiments.experiments.map(\.id))
        let gone = gaugesByExperiment.withLock { gauges in
            let gone = gauges.filter { !loaded.contains($0.key) }
            for id in gone.keys { gauges[id] = nil }
            return gone
        }
        for (id, gauges) in gone {
            for gauge in gauges { registry.unregisterGauge(gauge) }
            exposureCounted.withLock { _ = $0.remove(id) }
        }
        for spec in experiments.experiments.experiments {
            let lifecycle = experiments.currentLifecycle(of: spec)
            for status in ExperimentStatus.allCases {
                gauge(MetricName.experimentStatus, [("experiment", spec.id), ("status", status.rawValue)])
                    .set(status == lifecycle.status ? 1.0 : 0.0)
            }
            gauge(MetricName.experimentTrafficShare, [("experiment", spec.id)]).set(experiments.currentTraffic(of: spec))
            gauge(MetricName.experimentRampStep, [("experiment", spec.id)]).set(Double(lifecycle.step + 1))
            gauge(MetricName.experimentRampSteps, [("experiment", spec.id)]).set(Double(max(1, spec.ramp.count)))
        }
    }

    /// Experiments whose exposed users no look has counted yet (the first scrape reads them).
    func uncountedExperiments(in experiments: ExperimentService) -> [ExperimentSpec] {
        let counted = exposureCounted.withLock { $0 }
        return experiments.experiments.experiments.filter { !counted.contains($0.id) }
    }

    /// Exposed users per variant of `spec` (every declared variant, 0 when none yet).
    func setExposed(_ spec: ExperimentSpec, counts: [String: Int]) {
        var all = Dictionary(spec.variants.map { ($0.name, 0) }, uniquingKeysWith: { first, _ in first })
        all.merge(counts) { _, counted in counted }
        for (variant, users) in all {
            gauge(MetricName.experimentExposedUsers, [("experiment", spec.id), ("variant", variant)]).set(Double(users))
        }
        exposureCounted.withLock { _ = $0.insert(spec.id) }
    }

    /// One watcher look: its outcome, each guardrail's verdict and, when the analysis ran, the
    /// exposed users per variant.
    func record(_ look: WatchLook, spec: ExperimentSpec?) {
        counter(MetricName.experimentLooks, [("experiment", look.experimentID), ("outcome", look.outcome.rawValue)]).increment()
        for guardrail in look.guardrails {
            counter(MetricName.experimentGuardrailChecks,
                    [("experiment", look.experimentID), ("metric", guardrail.metric), ("outcome", guardrail.verdict.rawValue)]).increment()
        }
        if look.outcome != .failed, let spec { setExposed(spec, counts: look.exposedPerVariant) }
    }

    /// A change this node recorded (the watcher's or a person's).
    func record(_ change: ExperimentChange) {
        counter(MetricName.experimentChanges, [("experiment", change.experimentID), ("kind", change.kind.rawValue)]).increment()
    }

    /// What became of one change notification (see ``ExperimentNotifier``).
    func record(_ outcome: NotificationOutcome) {
        counter(MetricName.experimentNotifications, [("outcome", outcome.rawValue)]).increment()
    }

    /// Every series of the notification counter at 0, so a node with `--notify-url` shows them
    /// before the first change.
    func declareNotificationCounters() {
        for outcome in NotificationOutcome.allCases { _ = counter(MetricName.experimentNotifications, [("outcome", outcome.rawValue)]) }
    }

    /// The gauge of `name` with `labels` (the first label is the experiment), remembered for it.
    private func gauge(_ name: String, _ labels: [(String, String)]) -> Prometheus.Gauge {
        let made = registry.makeGauge(name: name, labels: labels, help: Self.help[name] ?? "")
        if let experiment = labels.first(where: { $0.0 == "experiment" })?.1 {
            gaugesByExperiment.withLock { gauges in
                if !(gauges[experiment] ?? []).contains(where: { $0 === made }) { gauges[experiment, default: []].append(made) }
            }
        }
        return made
    }

    private func counter(_ name: String, _ labels: [(String, String)]) -> Prometheus.Counter {
        registry.makeCounter(name: name, labels: labels, help: Self.help[name] ?? "")
    }

    /// One help text per name (the registry requires the same text for every label set).
    static let help: [String: String] = [
        MetricName.experimentStatus: "1 for the experiment's current status (draft, running, stopped, shipped), 0 for the others",
        MetricName.experimentTrafficShare: "Share of eligible users the experiment serves now (its ramp step's; 0 once stopped, 1 once shipped)",
        MetricName.experimentRampStep: "The experiment's current ramp step, counted from 1",
        MetricName.experimentRampSteps: "Steps in the experiment's ramp (1 without a ramp)",
        MetricName.experimentExposedUsers: "Users exposed to each variant, as the watcher's last analysis counted them (QA-forced users left out)",
        MetricName.experimentGuardrailChecks: "Guardrail verdicts at the watcher's looks on this node, by outcome (ok, violated, insufficient_data)",
        MetricName.experimentLooks: "Watcher looks at the experiment on this node, by outcome (changed, held, lost_race, failed)",
        MetricName.experimentChanges: "Changes this node recorded, by kind (started, advanced, stopped, shipped)",
        MetricName.experimentNotifications: "Change notifications to serve --notify-url: delivered, retried (per retry), failed (given up) or dropped (queue full or shutdown)",
    ]
}

/// What became of one change notification, as `/metrics` counts it.
enum NotificationOutcome: String, Sendable, Hashable, CaseIterable {
    /// The receiver answered 2xx.
    case delivered
    /// One more try after a 5xx, 408, 429, a timeout or a connection error (counted per retry).
    case retried
    /// Given up: the receiver refused it (another 4xx, a redirect) or every try failed.
    case failed
    /// Never tried to the end: pushed out of a full queue by newer changes, or pending at shutdown.
    case dropped
}
