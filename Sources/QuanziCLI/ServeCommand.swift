import ArgumentParser
import Logging
import LuaHost
import Server
import Service

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the JSON API over HTTP.",
        discussion: """
            Loads the plugins and experiments (refusing to start unless `quanzi check` and `quanzi test` \
            pass on them, listing every problem), \
            opens the database (--db FILE, or a postgres:// URL shared by several nodes, migrated \
            first by `quanzi migrate`) and serves /v1, /healthz, /metrics and /openapi.json. Requests under \
            /v1 need a bearer token from `quanzi token USER`. Every --expiry-sweep-interval-seconds it \
            refunds the unclaimed remainder of expired red packets to their senders. Every \
            --watch-interval-minutes it looks at every running experiment: it starts it, moves its ramp \
            on when the step's hold has passed and every guardrail is clear, and stops it when a guardrail \
            is violated (judged with always-valid intervals). With --notify-url it POSTs each experiment \
            change (start, ramp step, stop, ship) as JSON to that URL, retried with backoff, never \
            holding up a request or the watcher. SIGHUP or POST /v1/admin/reload (and, with --watch, \
            any change to a .lua file in either folder) reload the plugins and experiments: the new set \
            serves only if `quanzi check` and `quanzi test` pass on it, otherwise the old one keeps \
            serving and the problems are logged as file:line: message. SIGTERM or SIGINT stop accepting \
            connections, let in-flight requests finish, then close the database.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Reload the plugins and experiments when a .lua file in either folder is added, changed or removed.")
    var watch = false

    @Option(help: "Address to listen on.")
    var host = ServerConfiguration.defaultHost

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = ServerConfiguration.defaultPort

    @Option(help: "Requests per second one token may make under /v1 (bursts of twice as many).")
    var apiRate = RateLimitPolicy.api.refillPerSecond

    @Option(help: "Money requests per second one token may make (bursts of twice as many).")
    var moneyRate = RateLimitPolicy.money.refillPerSecond

    @Option(help: "With a postgres:// database: how often (milliseconds) to read other nodes' writes from the events table.")
    var followIntervalMs = 100

    @Option(help: "With a postgres:// database: most transfer batches this node commits at once (default 1).")
    var batchesInFlight: Int?

    @Option(help: ArgumentHelp(
        "Threads that run feeds, rule checks and reads.",
        discussion: "Default: one per core and a spare with SQLite (that work only uses the CPU); 16 with PostgreSQL (it waits for the database)."))
    var workerThreads: Int?

    @Option(help: "Close a keep-alive connection after this many seconds with no request.")
    var idleTimeoutSeconds = ConnectionLimits.default.idleTimeoutSeconds

    @Option(help: "Close a connection whose request head (line and headers) takes longer than this, in seconds, from its first byte.")
    var headerReadTimeoutSeconds = ConnectionLimits.default.headerReadTimeoutSeconds

    @Option(help: "Close a connection whose request body takes longer than this, in seconds, after its head.")
    var bodyReadTimeoutSeconds = ConnectionLimits.default.bodyReadTimeoutSeconds

    @Option(help: "Most connections open at once; past it new ones wait in the kernel's backlog.")
    var connectionsMax = ConnectionLimits.default.connectionsMax

    @Option(help: "Seconds between sweeps that refund expired red packets' unclaimed shares to their senders.")
    var expirySweepIntervalSeconds = ServerConfiguration.defaultExpirySweepIntervalSeconds

    @Option(help: "Minutes between the experiment watcher's looks (ramps and guardrail stops); 0 turns the watcher off.")
    var watchIntervalMinutes = ServerConfiguration.defaultWatchIntervalMinutes

    @Option(help: ArgumentHelp(
        "POST each experiment change as JSON to this http(s) URL.",
        discussion: "Retried with backoff on 5xx, 408, 429 and connection errors (5 tries); queued up to 1000 changes, oldest dropped first."))
    var notifyURL: String?

    /// Not for production: `scripts/watch_bench.sh` looks back to back (0) to bound the watcher's
    /// cost from above, and an end-to-end check waits seconds, not minutes, for a stop.
    @Option(help: ArgumentHelp(
        "Benchmarks and end-to-end checks only: seconds between the watcher's looks (0: back to back); overrides --watch-interval-minutes.",
        visibility: .hidden))
    var watchIntervalSeconds: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (0.001...1_000_000).contains(apiRate), (0.001...1_000_000).contains(moneyRate) else {
            throw ValidationError("--api-rate and --money-rate must be between 0.001 and 1000000")
        }
        let timeouts = ConnectionLimits.timeoutSecondsRange
        for (flag, value) in [("--idle-timeout-seconds", idleTimeoutSeconds), ("--header-read-timeout-seconds", headerReadTimeoutSeconds),
                              ("--body-read-timeout-seconds", bodyReadTimeoutSeconds)] where !timeouts.contains(value) {
            throw ValidationError("\(flag) must be between \(timeouts.lowerBound) and \(timeouts.upperBound)")
        }
        guard ConnectionLimits.connectionsMaxRange.contains(connectionsMax) else {
            throw ValidationError("--connections-max must be between \(ConnectionLimits.connectionsMaxRange.lowerBound) and \(ConnectionLimits.connectionsMaxRange.upperBound)")
        }
        guard (1...60_000).contains(followIntervalMs) else { throw ValidationError("--follow-interval-ms must be between 1 and 60000") }
        if let batchesInFlight {
            guard options.isPostgres else { throw ValidationError("--batches-in-flight needs a postgres:// database (SQLite has one writer)") }
            guard (1...8).contains(batchesInFlight) else { throw ValidationError("--batches-in-flight must be between 1 and 8") }
        }
        if let workerThreads, !ServerConfiguration.workerThreadsRange.contains(workerThreads) {
            throw ValidationError("--worker-threads must be between \(ServerConfiguration.workerThreadsRange.lowerBound) and \(ServerConfiguration.workerThreadsRange.upperBound)")
        }
        let sweepRange = ServerConfiguration.expirySweepIntervalSecondsRange
        guard sweepRange.contains(expirySweepIntervalSeconds) else {
            throw ValidationError("--expiry-sweep-interval-seconds must be between \(sweepRange.lowerBound) and \(sweepRange.upperBound)")
        }
        let watchRange = ServerConfiguration.watchIntervalMinutesRange
        guard watchIntervalMinutes == 0 || watchRange.contains(watchIntervalMinutes) else {
            throw ValidationError("--watch-interval-minutes must be 0 (off) or between \(watchRange.lowerBound) and \(watchRange.upperBound)")
        }
        if let watchIntervalSeconds, !(0...86_400).contains(watchIntervalSeconds) {
            throw ValidationError("--watch-interval-seconds must be between 0 (back to back) and 86400")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
        if let notifyURL {
            do { _ = try ServerConfiguration.notifyURL(notifyURL) } catch { throw ValidationError(error.description) }
        }
    }

    func run() async throws {
        var configuredLogger = Logger(label: "quanzi.http")
        configuredLogger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let logger = configuredLogger
        // Views are written behind the feed requests that show them (see `ViewRecorder`).
        let service = try await options.openService(viewDurability: .writeBehind, batchesInFlightMax: batchesInFlight, testedScripts: true)
        // Load the plugins into a Lua state now, so the first request does not pay for it.
        try service.rules.prewarm()
        let metrics = ServerMetrics()
        metrics.bootstrapMetricsSystem()
        // Several nodes on one PostgreSQL: follow the others' writes (nil on SQLite).
        if service.startFollowing(
            FeedFollower.Configuration(pollInterval: .milliseconds(followIntervalMs)), onLag: { metrics.recordFollowLag(seconds: $0) }) != nil
        {
            logger.info("following other nodes' writes", metadata: ["interval_ms": "\(followIntervalMs)"])
        }
        let limits = ServerLimits(
            apiRate: RateLimitPolicy(name: "api", burst: max(1, Int(apiRate * 2)), refillPerSecond: apiRate),
            moneyRate: RateLimitPolicy(name: "money", burst: max(1, Int(moneyRate * 2)), refillPerSecond: moneyRate))
        let app = buildApplication(
            service: service, configuration: ServerConfiguration(
                host: host, port: port, limits: limits,
                connections: ConnectionLimits(
                    idleTimeoutSeconds: idleTimeoutSeconds, headerReadTimeoutSeconds: headerReadTimeoutSeconds,
                    bodyReadTimeoutSeconds: bodyReadTimeoutSeconds, connectionsMax: connectionsMax),
                workerThreads: workerThreads ?? (options.isPostgres ? ServerConfiguration.networkDatabaseWorkerThreads : nil),
                expirySweepIntervalSeconds: expirySweepIntervalSeconds,
                watchIntervalSeconds: watchIntervalSeconds ?? (watchIntervalMinutes == 0 ? nil : watchIntervalMinutes * 60),
                notifyURL: try notifyURL.map { try ServerConfiguration.notifyURL($0) },
                scriptFolders: ScriptFolders(plugins: options.plugins, experiments: options.experiments), reloadOnHangup: true,
                watchScriptsIntervalMs: watch ? ServerConfiguration.defaultWatchScriptsIntervalMs : nil), metrics: metrics,
            logger: logger,
            afterShutdown: {
                // Every acknowledged transfer awaited its group commit, and the server has drained:
                // once the views written behind are flushed nothing is pending, so closing
                // checkpoints the WAL and ends cleanly.
                service.stopFollowing()
                await service.wallet.flushAffinity()
                do {
                    try service.views.flush()
                    try service.storage.close()
                    logger.info("database closed", metadata: ["location": "\(service.storage.location)"])
                } catch {
                    logger.error("closing the database failed", metadata: ["error": "\(error)"])
                }
            })
        try await app.runService()
    }
}
