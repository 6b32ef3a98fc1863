import Core
import Ledger
import Social

/// Where the ledger lives, on either backend: it fetches the rows a decision needs and commits
/// a decided batch, and nothing else. The rules are `LedgerStateMachine` and
/// `RedPacketStateMachine` (pure, in `Ledger`); the one door that runs them — group commit,
/// prefetch, decide, commit, side effects — is the service's wallet. A backend never decides
/// anything itself: each `commit…` call runs, in one transaction, fetch → `decide` → write what
/// was decided (with its events and derived rows), and answers what `decide` answered.
///
/// A thrown error means nothing was committed: the request may be retried with the same
/// idempotency key. When a `commit…` call returns, what it wrote is durable.
/// Behind SPI (`@_spi(LedgerStore) import`): the backends, the service's wallet and the ledger
/// tools see it; HTTP controllers and the REPL cannot, so they cannot move money around the door.
@_spi(LedgerStore)
public protocol LedgerStore: Sendable {
    /// Opens the (empty) accounts of users in one transaction; how many were new. All or nothing:
    /// throws `LedgerError.userNotFound` if any user does not exist.
    func openAccounts(for users: [UserID], at now: Int64) async throws -> Int
    /// Any account's balance (the system's own included), or `nil` when it is not open.
    func balanceFen(of account: AccountID) async throws -> Int64?
    func receipt(ofTransfer id: Int64) async throws -> TransferReceipt?
    /// What `initiator` committed with `idempotencyKey` (a transfer, tip, top-up or red packet's
    /// funding), with its request's fingerprint.
    func earlierTransfer(initiator: UserID, idempotencyKey: String) async throws -> EarlierTransfer?
    /// Red packet `id` with its claims, or `nil`.
    func redPacket(_ id: RedPacketID) async throws -> RedPacketState?
    /// Replays every entry and checks the ledger's invariants as of `now`.
    func verify(now: Int64) async throws -> LedgerReport

    /// Reads (on PostgreSQL: locks, in ascending id order) `prefetch`'s accounts and keys, lets
    /// `decide` decide, writes the plan's postings, balances, events and affinity bumps, and
    /// answers each request. `decide` may run more than once when the backend reruns a
    /// transaction it was told to retry; it must be pure.
    func commitTransfers(_ prefetch: TransferPrefetch, at now: Int64, decide: @Sendable (TransferSnapshot) -> DecidedTransfers)
        async throws -> [TransferResult]
    /// Creates a red packet as `decide` decides from the sender's and escrow's balances and the
    /// sender's key.
    func commitRedPacket(
        sender: UserID, idempotencyKey: String,
        decide: @Sendable (RedPacketStateMachine.CreateSnapshot) -> LedgerDecision<RedPacketResult, RedPacketStateMachine.CreatePlan>
    ) async throws -> RedPacketResult
    /// The rows a claim is decided from, read outside any transaction (no lock): for the early
    /// answer the door gives before it asks the social graph.
    func claimSnapshot(_ id: RedPacketID, claimer: UserID) async throws -> RedPacketStateMachine.ClaimSnapshot
    /// Claims a share as `decide` decides from the packet's rows, read with the packet locked
    /// (on PostgreSQL, `FOR UPDATE`: claims of one packet run one after the other across nodes).
    func commitClaim(
        _ id: RedPacketID, claimer: UserID,
        decide: @Sendable (RedPacketStateMachine.ClaimSnapshot) -> LedgerDecision<ClaimResult, RedPacketStateMachine.ClaimPlan>
    ) async throws -> ClaimResult
    /// Settles up to `limit` unsettled packets expired at `now`, oldest first, as `decide` plans.
    /// On PostgreSQL packets another node is settling or claiming are skipped (swept next time).
    func commitExpiry(
        at now: Int64, limit: Int,
        decide: @Sendable ([RedPacketStateMachine.ExpiredPacket]) -> RedPacketStateMachine.ExpiryBatch
    ) async throws -> [RedPacketRefund]
}

/// What a transfer batch must read before it is decided (see `LedgerStateMachine.accounts(for:limits:)`).
public struct TransferPrefetch: Sendable, Hashable {
    /// Ascending, once each.
    public var accounts: [AccountID]
    public var idempotencyKeys: [IdempotencyKey]

    public init(accounts: [AccountID], idempotencyKeys: [IdempotencyKey]) {
        self.accounts = Set(accounts).sorted()
        self.idempotencyKeys = idempotencyKeys
    }
}

/// A decided transfer batch and the affinity its committed postings add, written in the same
/// transaction: affinity is derived data, but writing it with the money costs no extra commit.
public struct DecidedTransfers: Sendable, Hashable {
    public var plan: TransferBatchPlan
    public var affinityBumps: [AffinityBump]

    public init(plan: TransferBatchPlan, affinityBumps: [AffinityBump]) {
        self.plan = plan
        self.affinityBumps = affinityBumps
    }
}

/// One interaction of `viewer` with `author` at a time, strengthening the viewer's affinity for
/// the author.
public struct AffinityBump: Sendable, Hashable {
    public var viewer: UserID
    public var author: UserID
    public var interaction: Affinity.Interaction
    public var atEpochSeconds: Int64

    public init(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at atEpochSeconds: Int64) {
        self.viewer = viewer
        self.author = author
        self.interaction = interaction
        self.atEpochSeconds = atEpochSeconds
    }
}

/// Where the affinity money adds is written on a backend.
public enum MoneyAffinityWrites: Sendable, Hashable {
    /// In the money batch's own transaction: no extra commit (SQLite: one writer, no round trips).
    case inMoneyTransaction
    /// After the money commits, coalesced across batches (PostgreSQL: the two statements would
    /// otherwise run while the batch holds its accounts' locks). Derived data: a crash may lose
    /// the last unwritten bumps, which only makes affinity slightly stale.
    case behind
}
