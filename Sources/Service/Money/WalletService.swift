import Core
import Ledger
import Social
@_spi(LedgerStore) import StorageModel

/// The one door to money. Every caller — HTTP controllers, the CLI, the REPL, seeding, the
/// simulation — moves money through here, and here only: group commit → prefetch → decide
/// (`LedgerStateMachine`, `RedPacketStateMachine`) → commit → side effects. The store behind it
/// (`LedgerStore`, one per backend) fetches and writes and decides nothing.
///
/// Side effects of a committed top-up, transfer or tip: its event, written with the money; the
/// affinity it adds (a transfer both ways, a tip from tipper to author), where the backend says
/// (`MoneyAffinityWrites`: in the money transaction on SQLite, at no extra commit; behind the
/// commit, coalesced, on PostgreSQL); and a tip's count in this node's feed window (other nodes
/// learn it from the `tip.sent` event). Credit reads the ledger when it is recomputed.
///
/// Every operation returns a `LedgerResult` (committed, replayed, or refused with a
/// `LedgerError`) and throws only when storage fails, in which case nothing was committed and
/// the request may be retried with the same idempotency key. When a call returns `.committed`
/// the movement is durable. Where a backend writes money's affinity behind (PostgreSQL: see
/// `MoneyAffinityWrites`), it follows the commit within one write's time. Tips are not public here: a tip needs its post and the circle's
/// `tip` rule, so it goes through `QuanziService.tip`.
public final class WalletService: Sendable {
    public let limits: LedgerLimits
    /// How transfers are made durable.
    public let commitMode: TransferCommitMode
    let store: any LedgerStore
    let clock: any Clock
    let audience: any RedPacketAudienceChecker
    private let batches: TransferBatches
    private let committer: GroupCommitter?

    /// - Parameters:
    ///   - clock: the time stamped on transfers and events, and the clock red packets expire by.
    ///   - commitMode: group commit (default) or one transaction per transfer.
    ///   - audience: decides friends and circle audiences of red packets (see
    ///     `RedPacketAudienceChecker`); the default admits only listed users.
    ///   - socialEffects: whether committed money strengthens affinity and counts tips in `feeds`
    ///     (the service's wallet), or moves money only (ledger tools).
    init(
        store: any LedgerStore, clock: any Clock = SystemClock(), limits: LedgerLimits = .default,
        commitMode: TransferCommitMode = .default, audience: any RedPacketAudienceChecker = ListedUsersOnly(),
        socialEffects: SocialEffects
    ) {
        self.store = store
        self.clock = clock
        self.limits = limits
        self.commitMode = commitMode
        self.audience = audience
        let batches = TransferBatches(store: store, clock: clock, limits: limits, socialEffects: socialEffects)
        self.batches = batches
        switch commitMode {
        case .groupCommit(let policy): committer = GroupCommitter(policy: policy) { requests in await batches.commit(requests) }
        case .transactionPerTransfer: committer = nil
        }
    }

    /// A wallet for ledger tools (verify, expire, load) and the ledger's own tests: it moves money
    /// with every rule and event, and nothing social — no affinity, no feed, and red packets to
    /// friends or circles admit nobody. `quanzi ledger load` measures the ledger alone with it.
    @_spi(LedgerStore)
    public static func standalone(
        store: any LedgerStore, clock: any Clock = SystemClock(), limits: LedgerLimits = .default,
        commitMode: TransferCommitMode = .default, audience: any RedPacketAudienceChecker = ListedUsersOnly()
    ) -> WalletService {
        WalletService(store: store, clock: clock, limits: limits, commitMode: commitMode, audience: audience, socialEffects: .none)
    }

    /// What committed money does beyond the ledger.
    enum SocialEffects: Sendable {
        /// Nothing (ledger tools).
        case none
        /// Affinity in the batch's transaction, and each tip's count in these feed windows.
        case affinityAndFeeds(FeedService)
        /// Affinity written behind the money (see ``AffinityWriteBehind``), and tips in the feeds.
        case affinityBehindAndFeeds(FeedService, AffinityWriteBehind)
    }

    /// Returns once the affinity of every transfer and tip committed before the call is written
    /// (a no-op where it is written with the money). For shutdown, seeding and tests.
    public func flushAffinity() async {
        if case .affinityBehindAndFeeds(_, let writer) = batches.socialEffects { await writer.flush() }
    }

    // MARK: Accounts

    /// Opens `user`'s account (empty). Returns false when it was already open; throws
    /// `LedgerError.userNotFound` when there is no such user.
    @discardableResult
    public func openAccount(for user: UserID) async throws -> Bool {
        try await openAccounts(for: [user]) == 1
    }

    /// Opens the accounts of many users in one transaction; returns how many were new. All or
    /// nothing: throws `LedgerError.userNotFound` if any user does not exist.
    @discardableResult
    public func openAccounts(for users: [UserID]) async throws -> Int {
        try await store.openAccounts(for: users, at: clock.nowEpochSeconds)
    }

    /// The balance of `account` in fen, or `nil` if it is not open.
    public func balanceFen(of account: AccountID) async throws -> Int64? { try await store.balanceFen(of: account) }

    /// The balance of `user`'s account in fen, or `nil` if it is not open.
    public func balanceFen(of user: UserID) async throws -> Int64? { try await store.balanceFen(of: .user(user)) }

    /// The committed transfer with `id`.
    public func receipt(ofTransfer id: Int64) async throws -> TransferReceipt? { try await store.receipt(ofTransfer: id) }

    /// What `initiator` committed with `idempotencyKey` (a transfer, tip, top-up or red packet's
    /// funding), if anything: a retry is answered from it before any check that may have changed.
    public func receipt(initiator: UserID, idempotencyKey: String) async throws -> TransferReceipt? {
        try await store.earlierTransfer(initiator: initiator, idempotencyKey: idempotencyKey)?.receipt
    }

    // MARK: Moving money

    /// Money from one user to another.
    public func transfer(from: UserID, to: UserID, amountFen: Int64, idempotencyKey: String) async throws -> TransferResult {
        try await submit(.transfer(from: from, to: to, amountFen: amountFen, idempotencyKey: idempotencyKey))
    }

    /// Money entering `user`'s account from outside, asked for by `admin` (whose key it is).
    public func topUp(_ user: UserID, by admin: UserID? = nil, amountFen: Int64, idempotencyKey: String) async throws -> TransferResult {
        try await submit(.topUp(user, by: admin, amountFen: amountFen, idempotencyKey: idempotencyKey))
    }

    /// Top-ups and transfers in one transaction (one fsync), each checked on its own, for bulk
    /// work such as seeding. Each request gets its own outcome: a storage error fails only the
    /// request it happened in. A tip fails with ``TipNeedsItsRule`` and moves nothing: tips go
    /// through `QuanziService`, which checks their post and rule first.
    public func transferBatch(_ requests: [TransferRequest]) async -> [Result<TransferResult, any Error>] {
        guard requests.contains(where: { $0.kind == .tip }) else { return await batches.commit(requests) }
        let others = requests.filter { $0.kind != .tip }
        var committed = await batches.commit(others).makeIterator()
        return requests.map { $0.kind == .tip ? .failure(TipNeedsItsRule()) : committed.next()! }
    }

    /// Applies a top-up, transfer or tip (a tip only after its rule: see `QuanziService.tip`).
    /// Checks run in `LedgerError` order; a replayed idempotency key returns the original receipt.
    /// Throws `WalletOverloaded` when the group-commit queue is full.
    func submit(_ request: TransferRequest) async throws -> TransferResult {
        // Refusals that need no database never wait for a batch.
        if let error = request.fieldError(limits: limits) { return .rejected(error) }
        if let committer { return try await committer.submit(request) }
        return try await batches.commit([request])[0].get()
    }

    /// Tips (or any requests) whose rules have been checked, in one transaction.
    func submitBatch(_ requests: [TransferRequest]) async -> [Result<TransferResult, any Error>] {
        await batches.commit(requests)
    }

    /// Group-commit counters, or `nil` in one-transaction-per-transfer mode.
    public func groupCommitStatistics() async -> GroupCommitStatistics? {
        await committer?.statistics
    }

    // MARK: Red packets

    /// Sends a red packet: the total moves from the sender to escrow now, and its shares are
    /// drawn now from a recorded seed. Claimable until `limits.redPacketLifetimeSeconds` later.
    public func createRedPacket(_ request: RedPacketRequest) async throws -> RedPacketResult {
        if let error = request.fieldError(limits: limits) { return .rejected(error) }
        var system = SystemRandomNumberGenerator()
        let seed = request.seed ?? system.next()
        let (limits, now) = (limits, clock.nowEpochSeconds)
        return try await store.commitRedPacket(sender: request.sender, idempotencyKey: request.idempotencyKey) { snapshot in
            RedPacketStateMachine.create(request, seed: seed, snapshot: snapshot, limits: limits, at: now)
        }
    }

    /// Claims the next share of red packet `id` for `claimer`. A second claim by the same user
    /// is replayed (same share, nothing moves).
    public func claimRedPacket(_ id: RedPacketID, by claimer: UserID) async throws -> ClaimResult {
        // Friends and circles belong to the social graph: ask it outside the transaction, which
        // must stay short. The transaction decides again from what it reads under its lock.
        let snapshot = try await store.claimSnapshot(id, claimer: claimer)
        if let early = RedPacketStateMachine.earlyClaimAnswer(snapshot: snapshot) { return early }
        guard let packet = snapshot.packet else { return .rejected(.redPacketNotFound) }
        switch packet.receipt.audience {
        case .friends, .circle:
            let isMember = await audience.isMember(claimer, of: packet.receipt.audience, sender: packet.receipt.sender)
            if !isMember { return .rejected(.notInAudience) }
        case .users:
            break
        }
        let now = clock.nowEpochSeconds
        return try await store.commitClaim(id, claimer: claimer) { snapshot in
            RedPacketStateMachine.claim(id, by: claimer, snapshot: snapshot, at: now)
        }
    }

    /// Refunds the remainder of every red packet expired at `now` (default: the wallet's clock),
    /// at most `limits.expirySweepBatchMax` per call; call again while it returns a full batch.
    @discardableResult
    public func expireRedPackets(now: Int64? = nil) async throws -> [RedPacketRefund] {
        let (limit, now) = (limits.expirySweepBatchMax, now ?? clock.nowEpochSeconds)
        return try await store.commitExpiry(at: now, limit: limit) { expired in RedPacketStateMachine.expire(expired, at: now) }
    }

    /// Red packet `id` with its claims, or `nil`.
    public func redPacket(_ id: RedPacketID) async throws -> RedPacketState? { try await store.redPacket(id) }

    // MARK: Verify

    /// Replays every entry and checks the ledger's invariants, as of the wallet's clock.
    public func verify() async throws -> LedgerReport { try await store.verify(now: clock.nowEpochSeconds) }
}

/// Commits transfer batches: prefetch → decide → commit, then the feed's tip counts. What the
/// group committer calls, and bulk callers directly.
private struct TransferBatches: Sendable {
    let store: any LedgerStore
    let clock: any Clock
    let limits: LedgerLimits
    let socialEffects: WalletService.SocialEffects

    /// One result per request, in order. When the shared transaction fails, each request is
    /// retried alone so one bad request fails alone: nothing of the failed transaction was
    /// committed, so nothing applies twice (and the idempotency keys would catch it if it could).
    func commit(_ requests: [TransferRequest]) async -> [Result<TransferResult, any Error>] {
        let now = clock.nowEpochSeconds
        do {
            return try await commitOnce(requests, at: now).map { .success($0) }
        } catch {
            guard requests.count > 1 else { return [.failure(error)] }
            var results: [Result<TransferResult, any Error>] = []
            for request in requests {
                do {
                    results.append(.success(try await commitOnce([request], at: now)[0]))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    private func commitOnce(_ requests: [TransferRequest], at now: Int64) async throws -> [TransferResult] {
        let limits = limits
        let prefetch = TransferPrefetch(
            accounts: LedgerStateMachine.accounts(for: requests, limits: limits),
            idempotencyKeys: LedgerStateMachine.idempotencyKeys(for: requests, limits: limits))
        let (feeds, writer): (FeedService?, AffinityWriteBehind?) =
            switch socialEffects {
            case .none: (nil, nil)
            case .affinityAndFeeds(let feeds): (feeds, nil)
            case .affinityBehindAndFeeds(let feeds, let writer): (feeds, writer)
            }
        let affinityWithMoney = feeds != nil && writer == nil
        let decide: @Sendable (TransferSnapshot) -> DecidedTransfers = { snapshot in
            let plan = LedgerStateMachine.decide(requests, snapshot: snapshot, limits: limits)
            let bumps = affinityWithMoney ? MoneyAffinity.bumps(for: plan.postedRequests, at: now) : []
            return DecidedTransfers(plan: plan, affinityBumps: bumps)
        }
        // Every request refused on its fields: nothing to read or write.
        guard !prefetch.accounts.isEmpty else {
            return decide(TransferSnapshot(balancesFen: [:], earlier: [:])).plan.results(receipts: [])
        }
        let results = try await store.commitTransfers(prefetch, at: now, decide: decide)
        if let writer {
            let committed = zip(requests, results).compactMap { request, result in
                if case .committed = result { request } else { nil }
            }
            await writer.enqueue(MoneyAffinity.bumps(for: committed, at: now))
        }
        if let feeds {
            for (request, result) in zip(requests, results) {
                guard case .committed = result, request.kind == .tip, let postID = request.postID, let circle = request.circleID else { continue }
                feeds.updateOwn(circle, postID: postID, kind: .tipSent) { $0.recordTip(postID: postID, amountFen: request.amountFen) }
            }
        }
        return results
    }
}

/// The affinity money adds: a transfer strengthens both users' affinity for each other, a tip
/// the tipper's for the author. Top-ups come from outside and add none.
enum MoneyAffinity {
    static func bumps(for committed: [TransferRequest], at now: Int64) -> [AffinityBump] {
        committed.flatMap { request -> [AffinityBump] in
            guard let from = request.debit.userID, let to = request.credit.userID else { return [] }
            switch request.kind {
            case .transfer:
                return [AffinityBump(viewer: from, author: to, .transfer, at: now), AffinityBump(viewer: to, author: from, .transfer, at: now)]
            case .tip: return [AffinityBump(viewer: from, author: to, .tip, at: now)]
            default: return []
            }
        }
    }
}

/// A tip handed to the wallet's public batch: it skips the post's visibility and the circle's
/// `tip` rule, so the wallet refuses it (use `QuanziService.tip`).
public struct TipNeedsItsRule: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String { "a tip must go through QuanziService.tip, which checks its post and the circle's tip rule" }
}
