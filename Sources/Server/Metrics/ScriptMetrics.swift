import LuaHost
import Prometheus
import Service
import Synchronization

/// The scripts this node serves, on `/metrics`: `quanzi_plugin_version_info{folder,file,version} 1`
/// per loaded file (an info metric: the labels are the data, so two nodes serving different
/// versions of a file show different series), the generation number and the reloads by outcome.
final class ScriptMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let generationGauge: Gauge
    /// The info series exported now, by "folder/path", with the version each carries.
    private let exported = Mutex<(generation: Int, series: [String: (version: String, gauge: Gauge)])>((0, [:]))

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        generationGauge = registry.makeGauge(
            name: MetricName.scriptGeneration, help: "Script sets this process has served: 1 at start, one more per accepted reload")
    }

    /// Brings the info series in line with `generation`: a file whose version changed or that
    /// was removed loses its old series, so a scrape shows exactly the versions served now.
    func refresh(from generation: ScriptGeneration) {
        exported.withLock { state in
            guard state.generation != generation.number else { return }
            var next: [String: (version: String, gauge: Gauge)] = [:]
            for file in generation.versions.files {
                let key = "\(file.folder.rawValue)/\(file.path)"
                if let current = state.series[key], current.version == file.version {
                    next[key] = current
                    continue
                }
                let gauge = registry.makeGauge(
                    name: MetricName.pluginVersionInfo,
                    labels: [("folder", file.folder.rawValue), ("file", file.name), ("version", file.version)],
                    help: "1 for each plugin or experiment file this node serves, labelled with its version (content hash)")
                gauge.set(Double(1))
                next[key] = (file.version, gauge)
            }
            for (key, old) in state.series where next[key]?.version != old.version {
                registry.unregisterGauge(old.gauge)
            }
            state = (generation.number, next)
            generationGauge.set(Double(generation.number))
        }
    }

    /// One reload asked for: `outcome` is `reloaded`, `unchanged` or `refused`.
    func recordReload(outcome: String, trigger: String) {
        registry.makeCounter(
            name: MetricName.scriptReloads, labels: [("outcome", outcome), ("trigger", trigger)],
            help: "Reloads of the plugins and experiments asked for, by outcome and by what asked (sighup, api, watch)"
        ).increment()
    }
}
