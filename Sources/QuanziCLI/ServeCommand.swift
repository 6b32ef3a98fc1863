import ArgumentParser
import Configuration
import Logging
import LuaHost
import Server
import Service

struct ServeCommand: AsyncParsableCommand, ConfigurableCommand {
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

    @Flag(name: .customLong("watch"), help: "Reload the plugins and experiments when a .lua file in either folder is added, changed or removed. [env QUANZI_WATCH]")
    var watchFlag = false

    @Flag(help: "Print the settings in force and where each came from (command line, environment, config file or default), then exit.")
    var printConfig = false
    @Option(name: .customLong("host"), help: "Address to listen on. [env QUANZI_HOST]")
    var hostFlag: String?
    @Option(name: .customLong("port"), help: "Port to listen on (0 picks a free one). [env QUANZI_PORT]")
    var portFlag: Int?
    @Option(name: .customLong("api-rate"), help: "Requests per second one token may make under /v1 (bursts of twice as many). [env QUANZI_API_RATE]")
    var apiRateFlag: Double?
    @Option(name: .customLong("money-rate"), help: "Money requests per second one token may make (bursts of twice as many). [env QUANZI_MONEY_RATE]")
    var moneyRateFlag: Double?
    @Option(name: .customLong("follow-interval-ms"), help: "With a postgres:// database: how often (milliseconds) to read other nodes' writes from the events table. [env QUANZI_FOLLOW_INTERVAL_MS]")
    var followIntervalMsFlag: Int?
    @Option(name: .customLong("idle-timeout-seconds"), help: "Close a keep-alive connection after this many seconds with no request. [env QUANZI_IDLE_TIMEOUT_SECONDS]")
    var idleTimeoutSecondsFlag: Int64?
    @Option(name: .customLong("header-read-timeout-seconds"), help: "Close a connection whose request head (line and headers) takes longer than this, in seconds, from its first byte. [env QUANZI_HEADER_READ_TIMEOUT_SECONDS]")
    var headerReadTimeoutSecondsFlag: Int64?
    @Option(name: .customLong("body-read-timeout-seconds"), help: "Close a connection whose request body takes longer than this, in seconds, after its head. [env QUANZI_BODY_READ_TIMEOUT_SECONDS]")
    var bodyReadTimeoutSecondsFlag: Int64?
    @Option(name: .customLong("connections-max"), help: "Most connections open at once; past it new ones wait in the kernel's backlog. [env QUANZI_CONNECTIONS_MAX]")
    var connectionsMaxFlag: Int?
    @Option(name: .customLong("expiry-sweep-interval-seconds"), help: "Seconds between sweeps that refund expired red packets' unclaimed shares to their senders. [env QUANZI_EXPIRY_SWEEP_INTERVAL_SECONDS]")
    var expirySweepIntervalSecondsFlag: Int?
    @Option(name: .customLong("watch-interval-minutes"), help: "Minutes between the experiment watcher's looks (ramps and guardrail stops); 0 turns the watcher off. [env QUANZI_WATCH_INTERVAL_MINUTES]")
    var watchIntervalMinutesFlag: Int?
    @Option(name: .customLong("log-level"), help: "Log level: trace, debug, info, notice, warning, error or critical. [env QUANZI_LOG_LEVEL]")
    var logLevelFlag: String?
    @Option(name: .customLong("batches-in-flight"), help: "With a postgres:// database: most transfer batches this node commits at once (default 1). [env QUANZI_BATCHES_IN_FLIGHT]")
    var batchesInFlightFlag: Int?
    @Option(name: .customLong("worker-threads"), help: ArgumentHelp(
        "Threads that run feeds, rule checks and reads.",
        discussion: "Default: one per core and a spare with SQLite (that work only uses the CPU); 16 with PostgreSQL (it waits for the database)."))
    var workerThreadsFlag: Int?
    @Option(name: .customLong("notify-url"), help: ArgumentHelp(
        "POST each experiment change as JSON to this http(s) URL.",
        discussion: "Retried with backoff on 5xx, 408, 429 and connection errors (5 tries); queued up to 1000 changes, oldest dropped first."))
    var notifyURLFlag: String?
    @Option(name: .customLong("watch-interval-seconds"), help: ArgumentHelp(
        "Benchmarks and end-to-end checks only: seconds between the watcher's looks (0: back to back); overrides --watch-interval-minutes.",
        visibility: .hidden))
    var watchIntervalSecondsFlag: Int?
    /// The settings given as flags on this command line.
    var settingsFlags: [String: ConfigContent] {
        var flags: [String: ConfigContent] = [:]
        if watchFlag { flags["watch"] = .bool(true) }
        if let hostFlag { flags["host"] = .string(hostFlag) }
        if let portFlag { flags["port"] = .int(portFlag) }
        if let apiRateFlag { flags["api_rate"] = .double(apiRateFlag) }
        if let moneyRateFlag { flags["money_rate"] = .double(moneyRateFlag) }
        if let followIntervalMsFlag { flags["follow_interval_ms"] = .int(followIntervalMsFlag) }
        if let idleTimeoutSecondsFlag { flags["idle_timeout_seconds"] = .int(Int(idleTimeoutSecondsFlag)) }
        if let headerReadTimeoutSecondsFlag { flags["header_read_timeout_seconds"] = .int(Int(headerReadTimeoutSecondsFlag)) }
        if let bodyReadTimeoutSecondsFlag { flags["body_read_timeout_seconds"] = .int(Int(bodyReadTimeoutSecondsFlag)) }
        if let connectionsMaxFlag { flags["connections_max"] = .int(connectionsMaxFlag) }
        if let expirySweepIntervalSecondsFlag { flags["expiry_sweep_interval_seconds"] = .int(expirySweepIntervalSecondsFlag) }
        if let watchIntervalMinutesFlag { flags["watch_interval_minutes"] = .int(watchIntervalMinutesFlag) }
        if let logLevelFlag { flags["log_level"] = .string(logLevelFlag) }
        if let batchesInFlightFlag { flags["batches_in_flight"] = .int(batchesInFlightFlag) }
        if let workerThreadsFlag { flags["worker_threads"] = .int(workerThreadsFlag) }
        if let notifyURLFlag { flags["notify_url"] = .string(notifyURLFlag) }
        if let watchIntervalSecondsFlag { flags["watch_interval_seconds"] = .int(watchIntervalSecondsFlag) }
        return flags
    }

    /// The settings in force: `Settings.current` once `main` installed it, else the flags.
    private var settings: Settings? { Settings.current }
    var watch: Bool { settings?.bool("watch", default: false) ?? watchFlag }
    var host: String { settings?.string("host", default: ServerConfiguration.defaultHost) ?? hostFlag ?? ServerConfiguration.defaultHost }
    var port: Int { settings?.int("port", default: ServerConfiguration.defaultPort) ?? portFlag ?? ServerConfiguration.defaultPort }
    var apiRate: Double { settings?.double("api_rate", default: RateLimitPolicy.api.refillPerSecond) ?? apiRateFlag ?? RateLimitPolicy.api.refillPerSecond }
    var moneyRate: Double { settings?.double("money_rate", default: RateLimitPolicy.money.refillPerSecond) ?? moneyRateFlag ?? RateLimitPolicy.money.refillPerSecond }
    var followIntervalMs: Int { settings?.int("follow_interval_ms", default: 100) ?? followIntervalMsFlag ?? 100 }
    var idleTimeoutSeconds: Int64 { settings.map { Int64($0.int("idle_timeout_seconds", default: Int(ConnectionLimits.default.idleTimeoutSeconds))) } ?? idleTimeoutSecondsFlag ?? ConnectionLimits.default.idleTimeoutSeconds }
    var headerReadTimeoutSeconds: Int64 { settings.map { Int64($0.int("header_read_timeout_seconds", default: Int(ConnectionLimits.default.headerReadTimeoutSeconds))) } ?? headerReadTimeoutSecondsFlag ?? ConnectionLimits.default.headerReadTimeoutSeconds }
    var bodyReadTimeoutSeconds: Int64 { settings.map { Int64($0.int("body_read_timeout_seconds", default: Int(ConnectionLimits.default.bodyReadTimeoutSeconds))) } ?? bodyReadTimeoutSecondsFlag ?? ConnectionLimits.default.bodyReadTimeoutSeconds }
    var connectionsMax: Int { settings?.int("connections_max", default: ConnectionLimits.default.connectionsMax) ?? connectionsMaxFlag ?? ConnectionLimits.default.connectionsMax }
    var expirySweepIntervalSeconds: Int { settings?.int("expiry_sweep_interval_seconds", default: ServerConfiguration.defaultExpirySweepIntervalSeconds) ?? expirySweepIntervalSecondsFlag ?? ServerConfiguration.defaultExpirySweepIntervalSeconds }
    var watchIntervalMinutes: Int { settings?.int("watch_interval_minutes", default: ServerConfiguration.defaultWatchIntervalMinutes) ?? watchIntervalMinutesFlag ?? ServerConfiguration.defaultWatchIntervalMinutes }
    var logLevel: String { settings?.string("log_level", default: "info") ?? logLevelFlag ?? "info" }
    var batchesInFlight: Int? { settings == nil ? batchesInFlightFlag : settings?.optionalInt("batches_in_flight") }
    var workerThreads: Int? { settings == nil ? workerThreadsFlag : settings?.optionalInt("worker_threads") }
    var notifyURL: String? { settings == nil ? notifyURLFlag : settings?.optionalString("notify_url") }
    var watchIntervalSeconds: Int? { settings == nil ? watchIntervalSecondsFlag : settings?.optionalInt("watch_interval_seconds") }

    /// The settings `--print-config` shows.
    var describedSettings: [(key: String, value: String?)] {
        options.describedSettings + [
            ("host", host), ("port", String(port)), ("watch", String(watch)), ("api_rate", String(apiRate)), ("money_rate", String(moneyRate)),
            ("follow_interval_ms", String(followIntervalMs)), ("batches_in_flight", batchesInFlight.map(String.init)),
            ("worker_threads", workerThreads.map(String.init)), ("idle_timeout_seconds", String(idleTimeoutSeconds)),
            ("header_read_timeout_seconds", String(headerReadTimeoutSeconds)), ("body_read_timeout_seconds", String(bodyReadTimeoutSeconds)),
            ("connections_max", String(connectionsMax)), ("expiry_sweep_interval_seconds", String(expirySweepIntervalSeconds)),
            ("watch_interval_minutes", String(watchIntervalMinutes)), ("notify_url", notifyURL), ("log_level", logLevel),
        ]
    }

    func validate() throws { try checkSettings() }

    /// The checks on the values in force (again once the environment and the config file are read).
    func checkSettings() throws {
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
        if printConfig {
            for line in (Settings.current?.describe(describedSettings) ?? []) { print(line) }
            return
        }
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
