import BlockingWork
import CoreMetrics
import Metrics
import Prometheus
import Service
import StorageModel
import Synchronization

/// The service's metrics, served at `/metrics` in Prometheus text format.
///
/// Everything is recorded through swift-metrics types bound to this instance's own registry, so
/// two applications in one test process never mix their numbers. `quanzi serve` also bootstraps
/// the global `MetricsSystem` with `factory`: any module that records with plain swift-metrics
/// (`Timer(label: MetricName.luaCallDuration)`) then shows up here without knowing the server.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory
    private let routes = Mutex<[RouteKey: RouteMetrics]>([:])
    private let ledgerOutcomes = Mutex<[String: CoreMetrics.Counter]>([:])
    private let luaLimitHits = Mutex<[String: CoreMetrics.Counter]>([:])
    private let groupCommit: GroupCommitGauges
    private let viewRecording: ViewRecordingGauges
    private let feedMemory: FeedMemoryGauges
    private let moderationGauges: ModerationGauges
    private let openConnectionsGauge: Prometheus.Gauge
    /// Connections closed for reading a request too slowly (`ConnectionLimits`).
    let readTimeouts: ConnectionTimeoutCounters
    /// Connections open now, read into a gauge at each scrape.
    public let openConnections = OpenConnections()
    /// Each experiment's status, traffic, step, exposures, looks, changes and notifications.
    let experiments: ExperimentMetrics
    /// The versions of the files served, the generation and the reloads.
    let scripts: ScriptMetrics

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Requests here take microseconds to milliseconds; Prometheus' default buckets start at 5 ms.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2),
        ]
        factory.valueHistogramBuckets[MetricName.groupCommitBatchSize] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
        self.factory = factory
        groupCommit = GroupCommitGauges(registry: registry)
        viewRecording = ViewRecordingGauges(registry: registry)
        feedMemory = FeedMemoryGauges(registry: registry)
        moderationGauges = ModerationGauges(registry: registry)
        experiments = ExperimentMetrics(registry: registry)
        scripts = ScriptMetrics(registry: registry)
        openConnectionsGauge = registry.gauge(MetricName.httpConnectionsOpen, help: "HTTP connections open now (serve --connections-max bounds them)")
        readTimeouts = ConnectionTimeoutCounters(
            header: CoreMetrics.Counter(label: MetricName.httpReadTimeouts, dimensions: [("phase", "header")], factory: factory),
            body: CoreMetrics.Counter(label: MetricName.httpReadTimeouts, dimensions: [("phase", "body")], factory: factory))
    }

    /// One finished request. `route` is the matched pattern (`/v1/posts/{id}`), never the raw
    /// path, so ids do not explode the label set.
    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        let key = RouteKey(route: route, method: method, status: status)
        let metrics = routes.withLock { cache in
            if let metrics = cache[key] { return metrics }
            let metrics = RouteMetrics(key, factory: factory)
            cache[key] = metrics
            return metrics
        }
        metrics.count.increment()
        metrics.latency.recordNanoseconds(duration.nanoseconds)
    }

    /// A money request's outcome: `kind` is transfer, tip, topup, redpacket_create or
    /// redpacket_claim; `outcome` is `ok`, `replayed` or the ledger error's code.
    public func recordLedgerOutcome(kind: String, outcome: String) {
        let key = kind + "|" + outcome
        ledgerOutcomes.withLock { counters in
            if counters[key] == nil {
                counters[key] = CoreMetrics.Counter(
                    label: MetricName.ledgerOutcomes, dimensions: [("kind", kind), ("outcome", outcome)], factory: factory)
            }
            return counters[key]!
        }.increment()
    }

    /// How long one Lua rule call took, from the caller's side.
    public func recordLuaCall(duration: Duration) {
        CoreMetrics.Timer(label: MetricName.luaCallDuration, factory: factory).recordNanoseconds(duration.nanoseconds)
    }

    /// A Lua call stopped by a sandbox limit (`instruction_limit_exceeded`, …) or failing.
    public func recordLuaFailure(code: String) {
        luaLimitHits.withLock { counters in
            if counters[code] == nil {
                counters[code] = CoreMetrics.Counter(label: MetricName.luaFailures, dimensions: [("code", code)], factory: factory)
            }
            return counters[code]!
        }.increment()
    }

    /// How long ranking one feed page took.
    public func recordFeedRanking(duration: Duration) {
        CoreMetrics.Timer(label: MetricName.feedRankingDuration, factory: factory).recordNanoseconds(duration.nanoseconds)
    }

    /// How long another node's event took to reach this node's feed windows (see `FeedFollower`).
    public func recordFollowLag(seconds: Double) {
        CoreMetrics.Timer(label: MetricName.feedFollowLag, factory: factory).recordNanoseconds(Int64(max(0, seconds) * 1e9))
    }

    /// What one red-packet expiry sweep refunded: `count` packets, `fen` in all.
    public func recordRedPacketRefunds(count: Int, fen: Int64) {
        CoreMetrics.Counter(label: MetricName.redPacketRefunds, factory: factory).increment(by: count)
        CoreMetrics.Counter(label: MetricName.redPacketRefundedFen, factory: factory).increment(by: fen)
    }

    /// A red-packet expiry sweep that failed (it is retried at the next tick).
    public func recordRedPacketSweepFailure() {
        CoreMetrics.Counter(label: MetricName.redPacketSweepFailures, factory: factory).increment()
    }

    /// The exposition text, after refreshing the gauges that are read rather than pushed.
    func render(
        wallet: WalletService, views: any ViewRecording, feedMemory memory: FeedMemory, experiments service: ExperimentService,
        scripts generation: ScriptGeneration, moderation: (@Sendable () throws -> ModerationQueueSummary)? = nil, nowEpochSeconds: Int64 = 0
    ) async -> [UInt8] {
        scripts.refresh(from: generation)
        if let statistics = await wallet.groupCommitStatistics() { groupCommit.update(statistics) }
        experiments.refresh(from: service)
        // Experiments no look has counted yet (a stopped one, or no watcher): their stored
        // exposures, read once off the event loop. A failed read is tried again at the next scrape.
        let uncounted = experiments.uncountedExperiments(in: service)
        if !uncounted.isEmpty {
            let counts = try? await Blocking.run {
                try uncounted.map { (spec: $0, counts: try service.store.exposureCounts(of: $0.id, phase: $0.phase)) }
            }
            for (spec, counts) in counts ?? [] { experiments.setExposed(spec, counts: counts) }
        }
        viewRecording.update(views.currentStatistics)
        feedMemory.update(memory)
        // The review queue, read off the event loop; a failed read keeps the last figures.
        if let moderation, let summary = try? await Blocking.run(moderation) {
            moderationGauges.update(summary, nowEpochSeconds: nowEpochSeconds)
        }
        openConnectionsGauge.set(Double(openConnections.current))
        return registry.emitToBuffer()
    }
}

/// Metric names, shared by whoever records them (units last, Prometheus style).
public enum MetricName {
    public static let httpRequests = "quanzi_http_requests_total"
    public static let httpRequestDuration = "quanzi_http_request_duration_seconds"
    public static let httpReadTimeouts = "quanzi_http_read_timeouts_total"
    public static let httpConnectionsOpen = "quanzi_http_connections_open"
    public static let ledgerOutcomes = "quanzi_ledger_requests_total"
    public static let groupCommitBatchSize = "quanzi_group_commit_batch_size"
    public static let luaCallDuration = "quanzi_lua_call_duration_seconds"
    public static let luaFailures = "quanzi_lua_failures_total"
    public static let feedRankingDuration = "quanzi_feed_ranking_duration_seconds"
    public static let feedFollowLag = "quanzi_feed_follow_lag_seconds"
    public static let redPacketRefunds = "quanzi_red_packet_refunds_total"
    public static let redPacketRefundedFen = "quanzi_red_packet_refunded_fen_total"
    public static let redPacketSweepFailures = "quanzi_red_packet_sweep_failures_total"
    // Scripts (see `ScriptMetrics`).
    public static let pluginVersionInfo = "quanzi_plugin_version_info"
    public static let scriptGeneration = "quanzi_script_generation"
    public static let scriptReloads = "quanzi_script_reloads_total"
    // Per experiment (see `ExperimentMetrics`).
    public static let experimentStatus = "quanzi_experiment_status"
    public static let experimentTrafficShare = "quanzi_experiment_traffic_share"
    public static let experimentRampStep = "quanzi_experiment_ramp_step"
    public static let experimentRampSteps = "quanzi_experiment_ramp_steps"
    public static let experimentExposedUsers = "quanzi_experiment_exposed_users"
    public static let experimentGuardrailChecks = "quanzi_experiment_guardrail_checks_total"
    public static let experimentLooks = "quanzi_experiment_looks_total"
    public static let experimentChanges = "quanzi_experiment_changes_total"
    public static let experimentNotifications = "quanzi_experiment_notifications_total"
    /// How long one pass of the experiment watcher took (every running experiment analysed).
    public static let experimentWatchDuration = "quanzi_experiment_watch_duration_seconds"
}

private struct RouteKey: Hashable {
    let route: String
    let method: String
    let status: Int
}

private struct RouteMetrics: Sendable {
    let count: CoreMetrics.Counter
    let latency: CoreMetrics.Timer

    init(_ key: RouteKey, factory: PrometheusMetricsFactory) {
        let dimensions = [("route", key.route), ("method", key.method), ("status", String(key.status))]
        count = CoreMetrics.Counter(label: MetricName.httpRequests, dimensions: dimensions, factory: factory)
        latency = CoreMetrics.Timer(label: MetricName.httpRequestDuration, dimensions: dimensions, factory: factory)
    }
}

/// The wallet's group-commit counters, copied into gauges at each scrape: the wallet keeps them
/// itself and offers no callback per batch.
private struct GroupCommitGauges: Sendable {
    let batches: Prometheus.Gauge
    let requests: Prometheus.Gauge
    let largestBatch: Prometheus.Gauge

    init(registry: PrometheusCollectorRegistry) {
        batches = registry.gauge("quanzi_group_commit_batches", help: "Transactions committed for transfer batches since start")
        requests = registry.gauge("quanzi_group_commit_requests", help: "Transfer requests that went through a batch since start")
        largestBatch = registry.gauge("quanzi_group_commit_batch_size_max", help: "The largest group-commit batch since start")
    }

    func update(_ statistics: GroupCommitStatistics) {
        batches.set(Double(statistics.batchCount))
        requests.set(Double(statistics.requestCount))
        largestBatch.set(Double(statistics.largestBatch))
    }
}

/// The feed view recorder's counters, copied into gauges at each scrape, like the wallet's: how
/// many views and batches were written behind, the largest batch, and views lost to a failed
/// batch (nobody waits for them to hear it).
private struct ViewRecordingGauges: Sendable {
    let batches: Prometheus.Gauge
    let views: Prometheus.Gauge
    let largestBatch: Prometheus.Gauge
    let failedViews: Prometheus.Gauge

    init(registry: PrometheusCollectorRegistry) {
        batches = registry.gauge("quanzi_feed_view_batches", help: "Transactions that wrote feed views since start")
        views = registry.gauge("quanzi_feed_views", help: "Feed views (posts shown) recorded since start")
        largestBatch = registry.gauge("quanzi_feed_view_batch_size_max", help: "The most views one transaction wrote since start")
        failedViews = registry.gauge("quanzi_feed_views_failed", help: "Views whose batch failed to commit since start")
    }

    func update(_ statistics: ViewRecordingStatistics) {
        batches.set(Double(statistics.batches))
        views.set(Double(statistics.views))
        largestBatch.set(Double(statistics.largestBatch))
        failedViews.set(Double(statistics.failedViews))
    }
}

/// What the feeds hold in memory so that a warm page reads nothing (`FeedMemory`), read at each
/// scrape, with the bounds the caches keep it within.
private struct FeedMemoryGauges: Sendable {
    let socialSignalViewers: Prometheus.Gauge
    let seenSets: Prometheus.Gauge
    let seenPosts: Prometheus.Gauge

    init(registry: PrometheusCollectorRegistry) {
        socialSignalViewers = registry.gauge(
            "quanzi_feed_social_signal_viewers",
            help: "Viewers whose friends and affinities are held in memory (at most \(SocialSignalCache.entriesMax))")
        seenSets = registry.gauge(
            "quanzi_feed_seen_sets", help: "(viewer, circle) seen-post sets held in memory (at most \(SeenPostsIndex.entriesMax))")
        seenPosts = registry.gauge(
            "quanzi_feed_seen_posts",
            help: "Posts in the seen sets held in memory (at most \(SeenPostsIndex.postsMax) in all, \(SeenPostsIndex.postsPerEntryMax) and an eighth per set)")
    }

    func update(_ memory: FeedMemory) {
        socialSignalViewers.set(Double(memory.socialSignalViewers))
        seenSets.set(Double(memory.seenSets))
        seenPosts.set(Double(memory.seenPosts))
    }
}

/// The review queue, read at each scrape: how many items wait and how long the oldest has.
private struct ModerationGauges: Sendable {
    let items: Prometheus.Gauge
    let oldestAge: Prometheus.Gauge

    init(registry: PrometheusCollectorRegistry) {
        items = registry.gauge("quanzi_moderation_queue_items", help: "Held posts waiting for a moderator (appeals included)")
        oldestAge = registry.gauge(
            "quanzi_moderation_queue_oldest_age_seconds", help: "How long the longest-waiting item has waited (0 when the queue is empty)")
    }

    func update(_ summary: ModerationQueueSummary, nowEpochSeconds: Int64) {
        items.set(Double(summary.pending))
        oldestAge.set(Double(summary.oldestQueuedAtEpochSeconds.map { max(0, nowEpochSeconds - $0) } ?? 0))
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension ServerMetrics {
    /// Makes this instance the process-wide swift-metrics backend (once per process: `quanzi
    /// serve` calls it; tests do not, so each test application keeps its own registry).
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(factory)
    }
}

extension PrometheusCollectorRegistry {
    /// A gauge named exactly `name` (units, if any, already in the name), with its `# HELP` line.
    fileprivate func gauge(_ name: String, help: String) -> Prometheus.Gauge {
        makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help))
    }
}
