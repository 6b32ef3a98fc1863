import Foundation
import LuaHost

/// Where and how the HTTP service listens.
public struct ServerConfiguration: Sendable {
    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8080

    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    public var limits: ServerLimits
    public var connections: ConnectionLimits
    /// Threads that run synchronous request work (feeds, rule checks, reads); nil: one per core
    /// and a spare, right when that work only uses the CPU (see `Blocking`).
    public var workerThreads: Int?
    /// Worker threads for a database across the network (PostgreSQL): every feed request waits
    /// for it, and a thread per core would leave the cores idle meanwhile.
    public static let networkDatabaseWorkerThreads = 16
    public static let workerThreadsRange = 1...256
    /// Seconds between sweeps that refund expired red packets (see `RedPacketExpiryService`).
    public var expirySweepIntervalSeconds: Int
    /// A minute leaves an expired packet's remainder in escrow at most about that long; one sweep
    /// is a few short transactions, so sweeping more often buys little.
    public static let defaultExpirySweepIntervalSeconds = 60
    /// Up to a day: a red packet lives a day, so sweeping less often would leave money stuck for days.
    public static let expirySweepIntervalSecondsRange = 1...86_400

    /// Seconds between the experiment watcher's looks; nil: no watcher (tests that drive it by
    /// hand). `quanzi serve` watches every ``defaultWatchIntervalMinutes``.
    public var watchIntervalSeconds: Int?
    /// Ten minutes: a violated guardrail is acted on within minutes, while one look (an analysis
    /// of each running experiment) stays a small share of a node's time.
    public static let defaultWatchIntervalMinutes = 10
    public static let watchIntervalMinutesRange = 1...1_440

    /// Where each experiment change is POSTed as JSON (`serve --notify-url`, checked by
    /// ``notifyURL(_:)``); nil: nowhere. See `ExperimentNotifier`.
    public var notifyURL: URL?
    /// How those posts queue and retry.
    public var notificationPolicy: NotificationPolicy

    /// Where the service's plugins and experiments were loaded from: `POST /v1/admin/reload`,
    /// `SIGHUP` and the folder watch reload from here. nil: reload is refused.
    public var scriptFolders: ScriptFolders?
    /// Reload on `SIGHUP` (`quanzi serve` does; tests leave the process's signals alone).
    public var reloadOnHangup: Bool
    /// Milliseconds between looks at the folders (`serve --watch`); nil: no watching.
    public var watchScriptsIntervalMs: Int?
    public static let defaultWatchScriptsIntervalMs = 1_000

    public init(
        host: String = ServerConfiguration.defaultHost, port: Int = ServerConfiguration.defaultPort, limits: ServerLimits = .default,
        connections: ConnectionLimits = .default, workerThreads: Int? = nil,
        expirySweepIntervalSeconds: Int = ServerConfiguration.defaultExpirySweepIntervalSeconds, watchIntervalSeconds: Int? = nil,
        notifyURL: URL? = nil, notificationPolicy: NotificationPolicy = .default, scriptFolders: ScriptFolders? = nil,
        reloadOnHangup: Bool = false, watchScriptsIntervalMs: Int? = nil
    ) {
        self.scriptFolders = scriptFolders
        self.reloadOnHangup = reloadOnHangup
        self.watchScriptsIntervalMs = watchScriptsIntervalMs
        self.watchIntervalSeconds = watchIntervalSeconds
        self.notifyURL = notifyURL
        self.notificationPolicy = notificationPolicy
        self.host = host
        self.port = port
        self.limits = limits
        self.connections = connections
        self.workerThreads = workerThreads
        self.expirySweepIntervalSeconds = expirySweepIntervalSeconds
    }
}
