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
    var affinities: any AffinityRepository { get }
    var credit: any CreditRepository { get }
    var experiments: any ExperimentRepository { get }
    var metrics: any MetricReading { get }
    var feeds: any FeedReading { get }
    var tokens: any TokenRepository { get }
    var walletReads: any WalletReading { get }
    var events: any EventAppending { get }
    /// The wallet, with the clock its transfers and red packets are stamped by.
    func makeWallet(clock: any Clock, audience: any RedPacketAudienceChecker) throws -> any WalletRepository
    func makeViewRecorder(durability: ViewRecorder.Durability) -> any ViewRecording
    /// Closes the connections; nothing may be pending (flush views first).
    func close() throws
}

/// The embedded backend: one SQLite file through GRDB.
public final class SQLiteBackend: StorageBackend {
    public let database: QuanziDatabase
    public let users: any UserRepository
    public let friends: any FriendRepository
    public let posts: any PostRepository
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

    public func makeWallet(clock: any Clock, audience: any RedPacketAudienceChecker) throws -> any WalletRepository {
        try Wallet(database: database, clock: clock, audience: audience)
    }

    public func makeViewRecorder(durability: ViewRecorder.Durability) -> any ViewRecording {
        ViewRecorder(database: database, durability: durability)
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
        try database.pool.write { db in try EventLog.append(event, in: db) }
    }
}
