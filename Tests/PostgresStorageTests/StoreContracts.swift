import Core
import Credit
import Experiments
import Feed
import Ledger
import PostgresStorage
import Social
import Storage

// The public APIs both backends must share, as protocols both conform to. A conformance that
// stops compiling is an API that no longer mirrors the other backend's; the contract tests run
// one body against either through these. A later step can lift them into the library as the
// storage protocol the service uses.

protocol UserStoring: Sendable {
    func insert(_ user: UserProfile, isAdmin: Bool) throws
    func user(_ id: UserID) throws -> UserProfile?
    func users(_ ids: [UserID]) throws -> [UserProfile]
    func require(_ id: UserID) throws -> UserProfile
    func isAdmin(_ id: UserID) throws -> Bool
    func count() throws -> Int
    func page(afterID: UserID?, limit: Int) throws -> [UserProfile]
}

protocol TokenStoring: Sendable {
    func insert(digest: [UInt8], for user: UserID, isAdmin: Bool, at now: Int64) throws(QuanziError) -> APIToken
    func token(digest: [UInt8]) throws -> APIToken?
}

protocol FriendStoring: Sendable {
    func sendRequest(from: UserID, to: UserID, at now: Int64) throws(QuanziError) -> FriendRequest
    func decide(requestID: Int64, by user: UserID, accept: Bool, at now: Int64) throws(QuanziError) -> FriendRequest
    func remove(_ user: UserID, friend: UserID, at now: Int64) throws(QuanziError)
    func befriend(_ first: UserID, _ second: UserID, at now: Int64) throws
    func areFriends(_ first: UserID, _ second: UserID) throws -> Bool
    func friends(of user: UserID) throws -> [UserID]
    func pendingRequests(to user: UserID) throws -> [FriendRequest]
}

protocol PostStoring: Sendable {
    func syncCircles(_ circles: [CircleDefinition]) throws
    func create(circle: CircleID, author: UserID, kind: PostKind, body: String, verdict: ModerationVerdict, at now: Int64) throws(QuanziError) -> Post
    func posts(_ ids: [Int64]) throws -> [Int64: Post]
    func post(_ id: Int64) throws -> Post?
    func requireVisible(_ id: Int64) throws(QuanziError) -> Post
    func delete(_ id: Int64, by user: UserID, at now: Int64) throws(QuanziError)
    func comment(on postID: Int64, by user: UserID, body: String, at now: Int64) throws(QuanziError) -> Comment
    func comments(on postID: Int64, afterID: Int64, limit: Int) throws -> [Comment]
    func like(_ postID: Int64, by user: UserID, at now: Int64) throws(QuanziError)
    func report(_ postID: Int64, by user: UserID, reason: String, hideAtReports: Int, at now: Int64) throws(QuanziError) -> Bool
    func moderationOutcomes(of user: UserID) throws -> (held: Int, removed: Int)
}

protocol AffinityStoring: Sendable {
    func affinity(from viewer: UserID, to author: UserID, at now: Int64) throws -> Double
    func bump(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at now: Int64) throws
}

protocol CreditStoring: Sendable {
    func recomputeAll(at now: Int64) throws -> Int
    func score(_ user: UserID) throws -> Int?
    func allScores() throws -> [UserID: Int]
    func report(_ user: UserID) throws -> CreditReport?
}

protocol ExperimentStoring: Sendable {
    func recordExposure(experiment: String, user: UserID, variant: String, at now: Int64) throws -> Bool
    func exposures(of experiment: String) throws -> [ExperimentExposure]
    func allExposureKeys() throws -> [(experiment: String, user: UserID)]
    func force(experiment: String, user: UserID, variant: String, at now: Int64) throws
    func overrides() throws -> [String: [UserID: String]]
    func stop(experiment: String, reason: String, at now: Int64) throws
    func stateChanges() throws -> [String: ExperimentStateChange]
}

protocol MetricReading: Sendable {
    func observations(for spec: ExperimentSpec, metrics: [MetricDefinition], excluding forced: Set<UserID>, before: Int64?) throws
        -> MetricObservations
}

protocol FeedQuerying: Sendable {
    func candidateRows(circle: CircleID, now: Int64, limits: CandidateWindowLimits) throws -> [CandidateRow]
    func viewerSignals(_ viewer: UserID, circle: CircleID, now: Int64, seenSince: Int64, seenBefore: Int64) throws -> ViewerSignals
}

protocol WalletHistoryReading: Sendable {
    func page(of user: UserID, before: Int64?, limit: Int) throws -> (items: [WalletHistoryItem], next: Int64?)
}

protocol PaymentContactsReading: Sendable {
    func suggestions(for user: UserID, limit: Int) throws -> [(user: UserID, payments: Int)]
}

protocol BalanceReading: Sendable {
    func balanceFen(of user: UserID) throws -> Int64?
}

protocol ViewRecording: Sendable {
    func record(_ views: [RecordedView], at now: Int64) throws(QuanziError)
    var currentStatistics: ViewRecordingStatistics { get }
}

protocol WalletOperating: Sendable {
    func openAccount(for user: UserID) async throws -> Bool
    func openAccounts(for users: [UserID]) async throws -> Int
    func balanceFen(of account: AccountID) async throws -> Int64?
    func balanceFen(of user: UserID) async throws -> Int64?
    func receipt(ofTransfer id: Int64) async throws -> TransferReceipt?
    func transfer(_ request: TransferRequest) async throws -> TransferResult
    func transfer(from: UserID, to: UserID, amountFen: Int64, idempotencyKey: String) async throws -> TransferResult
    func tip(from: UserID, to author: UserID, postID: Int64, circleID: CircleID?, amountFen: Int64, idempotencyKey: String) async throws
        -> TransferResult
    func topUp(_ user: UserID, amountFen: Int64, idempotencyKey: String) async throws -> TransferResult
    func transferBatch(_ requests: [TransferRequest]) async -> [Result<TransferResult, any Error>]
    func verify() async throws -> LedgerReport
    func createRedPacket(_ request: RedPacketRequest) async throws -> RedPacketResult
    func claimRedPacket(_ id: RedPacketID, by claimer: UserID) async throws -> ClaimResult
    func expireRedPackets(now: Int64?) async throws -> [RedPacketRefund]
    func redPacket(_ id: RedPacketID) async throws -> RedPacketState?
}

extension UserStore: UserStoring {}
extension PostgresUserStore: UserStoring {}
extension TokenStore: TokenStoring {}
extension PostgresTokenStore: TokenStoring {}
extension FriendStore: FriendStoring {}
extension PostgresFriendStore: FriendStoring {}
extension PostStore: PostStoring {}
extension PostgresPostStore: PostStoring {}
extension AffinityStore: AffinityStoring {}
extension PostgresAffinityStore: AffinityStoring {}
extension CreditStore: CreditStoring {}
extension PostgresCreditStore: CreditStoring {}
extension ExperimentStore: ExperimentStoring {}
extension PostgresExperimentStore: ExperimentStoring {}
extension MetricReader: MetricReading {}
extension PostgresMetricReader: MetricReading {}
extension FeedQueries: FeedQuerying {}
extension PostgresFeedQueries: FeedQuerying {}
extension WalletHistory: WalletHistoryReading {}
extension PostgresWalletHistory: WalletHistoryReading {}
extension PaymentContacts: PaymentContactsReading {}
extension PostgresPaymentContacts: PaymentContactsReading {}
extension BalanceReader: BalanceReading {}
extension PostgresBalanceReader: BalanceReading {}
extension ViewRecorder: ViewRecording {}
extension PostgresViewRecorder: ViewRecording {}
extension Wallet: WalletOperating {}
extension PostgresWallet: WalletOperating {}

protocol BulkWriting {
    func insertUser(_ user: UserProfile, isAdmin: Bool) throws
    func befriend(_ first: UserID, _ second: UserID, at now: Int64) throws
    func createPost(circle: CircleID, author: UserID, kind: PostKind, body: String, verdict: ModerationVerdict, at now: Int64) throws -> Post
    func like(_ postID: Int64, by user: UserID, at now: Int64) throws -> Bool
    func comment(on postID: Int64, by user: UserID, body: String, at now: Int64) throws
    func report(_ postID: Int64, by user: UserID, reason: String, hideAtReports: Int, at now: Int64) throws -> Bool
    func recordReport(on author: UserID, by reporter: UserID?, at now: Int64) throws
    func bumpAffinity(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at now: Int64) throws
    func recordView(_ postID: Int64, circle: CircleID, by user: UserID, author: UserID, at now: Int64) throws
}

extension BulkWriter: BulkWriting {}
extension PostgresBulkWriter: BulkWriting {}
