import Core
@_spi(LedgerStore) import StorageModel
import Ledger

/// The embedded backend: one SQLite file through GRDB.
public final class SQLiteBackend: StorageBackend {
    public let database: QuanziDatabase
    public let users: any UserRepository
    public let friends: any FriendRepository
    public let posts: any PostRepository
    public let moderation: any ModerationRepository
    public let blocks: any BlockRepository
    public let affinities: any AffinityRepository
    public let credit: any CreditRepository
    public let experiments: any ExperimentRepository
    public let metrics: any MetricReading
    public let feeds: any FeedReading
    public let tokens: any TokenRepository
    public let walletReads: any WalletReading
    public let events: any EventAppending

    public init(database: QuanziDatabase) {
        self.database = database
        // One instance of each store: some keep caches (profiles).
        users = UserStore(database: database)
        friends = FriendStore(database: database)
        posts = PostStore(database: database)
        moderation = ModerationStore(database: database)
        blocks = BlockStore(database: database)
        affinities = AffinityStore(database: database)
        credit = CreditStore(database: database)
        experiments = ExperimentStore(database: database)
        metrics = MetricReader(database: database)
        feeds = FeedQueries(database: database)
        tokens = TokenStore(database: database)
        walletReads = SQLiteWalletReads(database: database)
        events = SQLiteEventAppender(database: database)
    }

    public var location: String { database.path }

    @_spi(LedgerStore)
    public func makeLedgerStore() throws -> any LedgerStore {
        try SQLiteLedgerStore(database: database)
    }

    public var calibration: (any ExposureCalibrating)? { ExperimentStore(database: database) }
    public func makeIncrementalMetricReader() -> (any MetricReading)? { IncrementalMetricReader(database: database) }

    public func makeViewRecorder(durability: ViewDurability) -> any ViewRecording {
        ViewRecorder(database: database, durability: durability)
    }

    public func bulkWrite<T>(_ body: (any BulkWriting) throws -> T) throws -> T {
        try database.bulkWrite { writer in try body(writer) }
    }

    public func close() throws { try database.pool.close() }
}

struct SQLiteWalletReads: WalletReading {
    let database: QuanziDatabase

    func balanceFen(of user: UserID) throws -> Int64? { try BalanceReader(database: database).balanceFen(of: user) }

    func historyPage(of user: UserID, before: Int64?, limit: Int) throws -> (items: [WalletHistory.Item], next: Int64?) {
        try WalletHistory(database: database).page(of: user, before: before, limit: limit)
    }

    func paymentContacts(for user: UserID, limit: Int) throws -> [(user: UserID, payments: Int)] {
        try PaymentContacts(database: database).suggestions(for: user, limit: limit)
    }
}

struct SQLiteEventAppender: EventAppending {
    let database: QuanziDatabase

    func append(_ event: Event) throws {
        // One insert: nothing to refuse, nothing to undo (a denied action's event, at every denial).
        try database.writeCheckingFirst { db in try EventLog.append(event, in: db) }
    }
}

// The SQLite stores are the storage protocols' first implementation.
extension CreditStore: CreditRepository {}
extension ExperimentStore: ExperimentRepository {}
extension MetricReader: MetricReading {}
extension FeedQueries: FeedReading {}
extension TokenStore: TokenRepository {}
extension UserStore: UserRepository {}
extension FriendStore: FriendRepository {}
extension PostStore: PostRepository {}
extension AffinityStore: AffinityRepository {}
extension ViewRecorder: ViewRecording {}

extension QuanziDatabase: StorageBackendMaking {
    public func makeBackend() -> any StorageBackend { SQLiteBackend(database: self) }
}
