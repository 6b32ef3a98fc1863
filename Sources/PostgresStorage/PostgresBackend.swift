import Core
import Foundation
import Ledger
import Logging
import PostgresNIO
@_spi(LedgerStore) import StorageModel

/// Everything the service stores, on PostgreSQL shared by several nodes: the synchronous stores
/// on a ``QuanziPostgresDatabase`` (callers on threads that may block, as for SQLite) and the
/// async ``PostgresLedgerStore`` on a `PostgresClient` this backend runs until ``close()``.
///
/// Nothing is migrated here: `quanzi migrate --db postgres://…` does that, and ``open(url:connectionsMax:logger:)``
/// refuses a database with pending migrations.
public final class PostgresBackend: StorageBackend {
    public let database: QuanziPostgresDatabase
    public let client: PostgresClient
    public let location: String
    public let users: any UserRepository
    public let friends: any FriendRepository
    public let posts: any PostRepository
    public let affinities: any AffinityRepository
    public let credit: any CreditRepository
    public let experiments: any ExperimentRepository
    public let metrics: any MetricReading
    public let feeds: any FeedReading
    public let tokens: any TokenRepository
    public let moderation: any ModerationRepository
    public let blocks: any BlockRepository
    public let walletReads: any WalletReading
    public let events: any EventAppending
    /// Other nodes' writes, read from the events table (this node's own carry ``nodeID``).
    public let eventFollowing: (any EventFollowing)?
    /// Which script versions each node serves (this node writes its own rows).
    public let nodeScriptVersions: (any NodeScriptVersionLogging)?
    /// This node: the `origin` of every event its connections insert.
    public let nodeID: String
    public let limits: LedgerLimits
    /// How this node's wallet batches transfers.
    public let groupCommit: GroupCommitPolicy
    let logger: Logger
    private let clientTask: Task<Void, Never>

    /// Connects to `url` (`postgres://user[:password]@host[:port]/database`), checks that the
    /// schema is current and that commits are durable (the wallet's condition), and starts the
    /// wallet's client. `connectionsMax` bounds each of the two pools (synchronous stores, wallet).
    /// `nodeID` names this node in the events it writes (a fresh one per open by default).
    public static func open(
        url: String, limits: LedgerLimits = .default, connectionsMax: Int = QuanziPostgresDatabase.connectionsMaxDefault,
        nodeID: String = newNodeID(), groupCommit: GroupCommitPolicy = .default,
        logger: Logger = Logger(label: "quanzi.postgres")
    ) async throws -> PostgresBackend {
        let client = PostgresClient(
            configuration: try PostgresURL.configuration(url, connectionsMax: connectionsMax, nodeID: nodeID), backgroundLogger: logger)
        let clientTask = Task { await client.run() }
        do {
            let pending = try await PostgresMigrations.pending(client, logger: logger)
            guard pending.isEmpty else { throw PostgresSchemaNotCurrent(pending: pending) }
            try await PostgresLedgerStore.checkDurable(client: client, logger: logger)
            let database = try QuanziPostgresDatabase(url: url, connectionsMax: connectionsMax, nodeID: nodeID, logger: logger)
            return PostgresBackend(
                database: database, client: client, clientTask: clientTask, location: PostgresURL.redacted(url), nodeID: nodeID, limits: limits,
                groupCommit: groupCommit, logger: logger)
        } catch {
            clientTask.cancel()
            throw error
        }
    }

    /// A node id unique to this process and open: host, process id and a random part.
    public static func newNodeID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    private init(
        database: QuanziPostgresDatabase, client: PostgresClient, clientTask: Task<Void, Never>, location: String, nodeID: String,
        limits: LedgerLimits, groupCommit: GroupCommitPolicy, logger: Logger
    ) {
        self.groupCommit = groupCommit
        self.nodeID = nodeID
        eventFollowing = PostgresEventFollower(database: database, nodeID: nodeID)
        nodeScriptVersions = PostgresNodeScriptVersions(database: database, nodeID: nodeID)
        self.database = database
        self.client = client
        self.clientTask = clientTask
        self.location = location
        self.limits = limits
        self.logger = logger
        users = PostgresUserStore(database: database)
        friends = PostgresFriendStore(database: database)
        posts = PostgresPostStore(database: database)
        affinities = PostgresAffinityStore(database: database)
        credit = PostgresCreditStore(database: database)
        experiments = PostgresExperimentStore(database: database)
        metrics = PostgresMetricReader(database: database)
        feeds = PostgresFeedQueries(database: database)
        tokens = PostgresTokenStore(database: database)
        moderation = PostgresModerationStore(database: database)
        blocks = PostgresBlockStore(database: database)
        walletReads = PostgresWalletReads(database: database)
        events = PostgresEventAppender(database: database)
    }

    /// The ledger on this backend's client; `open` already checked that commits are durable.
    @_spi(LedgerStore)
    public func makeLedgerStore() throws -> any LedgerStore {
        PostgresLedgerStore(client: client, logger: logger)
    }

    public var ledgerLimits: LedgerLimits { limits }
    public var transferCommitMode: TransferCommitMode { .groupCommit(groupCommit) }
    /// Behind: in the batch's transaction the affinity's two statements ran while the batch held
    /// its accounts' locks, and cost about a fifth of HTTP transfers (`scripts/pg_bench.sh`).
    public var moneyAffinityWrites: MoneyAffinityWrites { .behind }

    public func makeViewRecorder(durability: ViewDurability) -> any ViewRecording {
        PostgresViewRecorder(database: database, durability: durability)
    }

    public func bulkWrite<T>(_ body: (any BulkWriting) throws -> T) throws -> T {
        try database.bulkWrite { writer in try body(writer) }
    }

    /// Closes the stores' connections and stops the wallet's client.
    public func close() throws {
        database.close()
        clientTask.cancel()
    }
}

/// `open` found migrations not applied: `quanzi migrate` applies them.
public struct PostgresSchemaNotCurrent: Error, Hashable, Sendable, CustomStringConvertible {
    public let pending: [String]
    public var description: String {
        "the schema is not current (\(pending.count) pending migration\(pending.count == 1 ? "" : "s"), first \(pending[0])): run `quanzi migrate --db postgres://…` first"
    }
}

struct PostgresWalletReads: WalletReading {
    let database: QuanziPostgresDatabase

    func balanceFen(of user: UserID) throws -> Int64? { try PostgresBalanceReader(database: database).balanceFen(of: user) }

    func historyPage(of user: UserID, before: Int64?, limit: Int) throws -> (items: [WalletHistoryItem], next: Int64?) {
        try PostgresWalletHistory(database: database).page(of: user, before: before, limit: limit)
    }

    func paymentContacts(for user: UserID, limit: Int) throws -> [(user: UserID, payments: Int)] {
        try PostgresPaymentContacts(database: database).suggestions(for: user, limit: limit)
    }
}

struct PostgresEventAppender: EventAppending {
    let database: QuanziPostgresDatabase

    func append(_ event: Event) throws {
        try database.write { session in try PostgresEventLog.append(event, in: session) }
    }
}

// The PostgreSQL stores implement the storage protocols the service uses.
extension PostgresUserStore: UserRepository {}
extension PostgresFriendStore: FriendRepository {}
extension PostgresPostStore: PostRepository {}
extension PostgresAffinityStore: AffinityRepository {}
extension PostgresCreditStore: CreditRepository {}
extension PostgresExperimentStore: ExperimentRepository {}
extension PostgresMetricReader: MetricReading {}
extension PostgresFeedQueries: FeedReading {}
extension PostgresTokenStore: TokenRepository {}
extension PostgresViewRecorder: ViewRecording {}
