import Core
import Ledger

/// Everything the service stores, behind the storage protocols: the embedded SQLite database
/// (`SQLiteBackend`, the default) or PostgreSQL shared by several nodes (PostgresStorage).
/// The service and the domain never learn which.
public protocol StorageBackend: Sendable {
    /// Where the data lives, for messages: a file path or a URL without its password.
    var location: String { get }
    var users: any UserRepository { get }
    var friends: any FriendRepository { get }
    var posts: any PostRepository { get }
    var moderation: any ModerationRepository { get }
    var blocks: any BlockRepository { get }
    var affinities: any AffinityRepository { get }
    var credit: any CreditRepository { get }
    var experiments: any ExperimentRepository { get }
    var metrics: any MetricReading { get }
    var feeds: any FeedReading { get }
    var tokens: any TokenRepository { get }
    var walletReads: any WalletReading { get }
    var events: any EventAppending { get }
    /// Tailing the events table when other nodes write to the same database (nil on SQLite).
    var eventFollowing: (any EventFollowing)? { get }
    /// Which script versions each node serves (nil on SQLite).
    var nodeScriptVersions: (any NodeScriptVersionLogging)? { get }
    /// Where the ledger lives. It checks, before any money moves, that a commit survives power
    /// loss. Make one per node: the wallet that runs it group-commits per node.
    @_spi(LedgerStore)
    func makeLedgerStore() throws -> any LedgerStore
    /// The wallet's bounds on this backend.
    var ledgerLimits: LedgerLimits { get }
    /// How the wallet makes transfers durable on this backend.
    var transferCommitMode: TransferCommitMode { get }
    /// Where the affinity money adds is written on this backend.
    var moneyAffinityWrites: MoneyAffinityWrites { get }
    /// Rewriting exposures for calibration runs (SQLite only; nil elsewhere).
    var calibration: (any ExposureCalibrating)? { get }
    /// A metric reader that keeps its tallies between the watcher's looks and reads only new
    /// rows (SQLite, whose row ids follow commit order; nil elsewhere: a full pass per look).
    func makeIncrementalMetricReader() -> (any MetricReading)?
    func makeViewRecorder(durability: ViewDurability) -> any ViewRecording
    /// Runs `body` once, in one write transaction (one commit): seeding and loading, where
    /// per-write transactions would take minutes. Not retried: `body` may change state of its
    /// own (a random generator, counts), so a conflict fails the call instead. Its writes are
    /// not seen by caches a backend keeps until it returns.
    func bulkWrite<T>(_ body: (any BulkWriting) throws -> T) throws -> T
    /// Closes the connections; nothing may be pending (flush views first).
    func close() throws
}

extension StorageBackend {
    public var ledgerLimits: LedgerLimits { .default }
    public var transferCommitMode: TransferCommitMode { .default }
    public var moneyAffinityWrites: MoneyAffinityWrites { .inMoneyTransaction }
    public func makeIncrementalMetricReader() -> (any MetricReading)? { nil }
}
