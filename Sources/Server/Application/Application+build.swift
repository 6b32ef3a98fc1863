// Server: the app-facing JSON API on Hummingbird 2.
//
// Application/  buildApplication, buildRouter, named limits      Controllers/  one per resource
// Context/      the request context (the caller) and JSON rules   Views/        response bodies
// Auth/         bearer tokens (SHA-256 digests only)              Queries/      reads the service lacks
// Errors/       the one error shape and its status mapping        OpenAPI/      /openapi.json
// Middleware/   request logs, metrics, rate limits                Metrics/      Prometheus

import BlockingWork
import Core
import Hummingbird
import HummingbirdCore
import NIOCore
import Logging
import LuaHost
import Service
import ServiceLifecycle
import StorageModel

/// Builds the HTTP application over a service. `quanzi serve` runs it; tests drive the same
/// application in memory with `app.test(.router)`.
///
/// - Parameters:
///   - onServerRunning: runs once the server listens, with its channel (the port, when 0 was asked for).
///   - afterShutdown: runs once the server has stopped accepting and every in-flight
///   request has finished (the place to close the database).
public func buildApplication(
    service: QuanziService, configuration: ServerConfiguration = ServerConfiguration(), metrics: ServerMetrics = ServerMetrics(),
    logger: Logger = Logger(label: "quanzi.http"), afterShutdown: @escaping @Sendable () async -> Void = {},
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Blocking.configure(workerThreads: configuration.workerThreads)
    let reloader = configuration.scriptFolders.map {
        ScriptReloader(service: service, folders: $0, metrics: metrics.scripts, logger: Logger(label: "quanzi.scripts"))
    }
    let router = buildRouter(service: service, limits: configuration.limits, metrics: metrics, reloader: reloader)
    let experimentLogger = Logger(label: "quanzi.experiments")
    observeChanges(of: service, metrics: metrics, logger: experimentLogger)
    var services: [any Service] = [
        AfterShutdownService(action: afterShutdown),
        RedPacketExpiryService(
            sweeper: RedPacketExpirySweeper(wallet: service.wallet),
            ticks: SweepTicks(intervalSeconds: configuration.expirySweepIntervalSeconds), metrics: metrics, logger: logger),
    ]
    if let url = configuration.notifyURL {
        let notifier = ExperimentNotifier(
            url: url, node: service.nodeID, policy: configuration.notificationPolicy, metrics: metrics.experiments,
            logger: experimentLogger)
        service.experiments.onChange { change in notifier.enqueue(change) }
        // Before the watcher: stopped after it, so the changes of its last look are queued.
        services.insert(notifier, at: 1)
    }
    let scriptLogger = Logger(label: "quanzi.scripts")
    if let recorder = service.startRecordingScriptVersions(onFailure: { error in
        scriptLogger.error("recording the reloaded script versions failed; retrying at the next heartbeat", metadata: ["error": "\(error)"])
    }) {
        // Right after the database's closer: stopped once the server has drained, before the close.
        let heartbeats = SweepTicks(intervalSeconds: ScriptVersionRecorder.heartbeatSeconds)
        services.insert(ScriptVersionsService(recorder: recorder, ticks: heartbeats, logger: scriptLogger), at: 1)
    }
    if let interval = configuration.watchIntervalSeconds {
        // 0 (benchmarks only: `serve --watch-interval-seconds 0`) looks back to back; the next
        // check it announces is then a second away.
        let watcher = ExperimentWatcher(experiments: service.experiments, intervalSeconds: Int64(max(1, interval)))
        observeLooks(of: watcher, service: service, metrics: metrics, logger: experimentLogger)
        services.append(ExperimentWatchService(watcher: watcher, clock: service.clock, ticks: WatchTicks(intervalSeconds: interval), logger: experimentLogger))
    }
    if let reloader {
        if configuration.reloadOnHangup { services.append(ScriptSignalService(reloader: reloader)) }
        if let interval = configuration.watchScriptsIntervalMs {
            services.append(ScriptWatchService(reloader: reloader, intervalMs: max(10, interval)))
        }
    }
    let connections = configuration.connections
    let readTimeouts = metrics.readTimeouts
    return Application(
        router: router,
        server: HTTPServerBuilder { responder in GuardedHTTP1Channel(responder: responder, limits: connections, timedOut: readTimeouts) },
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "quanzi",
            availableConnectionsDelegate: OpenConnections.Bound(open: metrics.openConnections, connectionsMax: connections.connectionsMax)),
        // The service group stops services in reverse order: the server first, then the watcher
        // and the sweep, and the database closes last.
        services: services,
        onServerRunning: onServerRunning,
        logger: logger)
}

/// Each change this node records is a structured log line and counted on `/metrics`; so is
/// each person's forcing of a user into a variant (who, why).
func observeChanges(of service: QuanziService, metrics: ServerMetrics, logger: Logger) {
    let experimentMetrics = metrics.experiments
    service.experiments.onForce { forced in
        logger.notice("user forced into a variant", metadata: [
            "experiment": "\(forced.experimentID)", "user": "\(forced.userID)", "variant": "\(forced.variant)",
            "actor": "\(forced.actor)", "reason": "\(forced.reason)",
        ])
    }
    service.experiments.onChange { change in
        ExperimentLogging.log(change, logger)
        experimentMetrics.record(change)
    }
}

/// Each look of the watcher is logged (see `ExperimentLogging`) and counted on `/metrics`, with
/// its guardrail verdicts and exposed users.
func observeLooks(of watcher: ExperimentWatcher, service: QuanziService, metrics: ServerMetrics, logger: Logger) {
    let experimentMetrics = metrics.experiments
    let experiments = service.experiments
    watcher.onLook { look in
        ExperimentLogging.log(look, logger)
        experimentMetrics.record(look, spec: experiments.experiments.experiment(look.experimentID))
    }
}

/// Every route and middleware. Order matters: logs and metrics see the final response, the
/// error middleware turns every failure into the API's error shape, and `/v1` needs a token
/// and spends its user's rate budget.
public func buildRouter(
    service: QuanziService, limits: ServerLimits = .default, metrics: ServerMetrics, reloader: ScriptReloader? = nil,
    consoleSessions: ConsoleSessions? = nil
) -> Router<QuanziRequestContext> {
    let router = Router(context: QuanziRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
    // Inside the metrics and outside the errors: every response, an error's too, names the
    // script set it was served with.
    router.add(middleware: ScriptPinMiddleware(service: service))
    router.add(middleware: ErrorMiddleware(metrics: metrics))
    OperationsController(service: service, metrics: metrics).addRoutes(to: router)

    let authenticator = TokenAuthenticator(tokens: service.storage.tokens, clock: service.clock)
    let api = router.group("v1")
        .add(middleware: AuthMiddleware(authenticator: authenticator))
        .add(middleware: RateLimitMiddleware(limiter: RateLimiter(policy: limits.apiRate)))
    let admin = api.group().add(middleware: AdminMiddleware())
    let moderators = api.group().add(middleware: ModeratorMiddleware())
    let money = api.group().add(middleware: RateLimitMiddleware(limiter: RateLimiter(policy: limits.moneyRate)))
    let adminMoney = money.group().add(middleware: AdminMiddleware())

    MeController(service: service, authenticator: authenticator).addRoutes(to: api)
    AppExperimentsController(service: service).addRoutes(to: api)
    UsersController(service: service).addRoutes(to: api)
    BlocksController(service: service).addRoutes(to: api)
    FriendsController(service: service, suggestions: FriendSuggestionsQuery(reads: service.storage.walletReads)).addRoutes(to: api)
    CirclesController(service: service, metrics: metrics).addRoutes(to: api)
    FeedController(service: service, metrics: metrics).addRoutes(to: api)
    PostsController(service: service).addRoutes(to: api)
    ModerationController(service: service).addRoutes(to: api, moderators: moderators, admins: admin)
    TipsController(service: service, metrics: metrics).addRoutes(to: money)
    WalletController(service: service, history: WalletHistoryQuery(reads: service.storage.walletReads), metrics: metrics)
        .addRoutes(to: api, money: money, admin: adminMoney)
    RedPacketsController(service: service, metrics: metrics).addRoutes(to: api, money: money)
    ExperimentsController(service: service).addRoutes(to: admin)
    ConsoleController(service: service, authenticator: authenticator, sessions: consoleSessions ?? ConsoleSessions(clock: service.clock), metrics: metrics)
        .addRoutes(to: router)
    AdminController(service: service, reloader: reloader).addRoutes(to: admin)
    return router
}

/// Waits for graceful shutdown, then runs `action`. It is the first service of the application,
/// so the service group stops it last: after the HTTP server has drained.
struct AfterShutdownService: Service {
    let action: @Sendable () async -> Void

    func run() async throws {
        try? await gracefulShutdown()
        await action()
    }
}
