import Core
import Ledger

/// Money: accounts, transfers (tips, top-ups), red packets and the ledger check. Async: a
/// transfer waits for its batch's commit (``GroupCommitter``, on either backend), and answers
/// only once it is durable.
public protocol WalletRepository: Sendable {
    var limits: LedgerLimits { get }
    /// False when the account was already open.
    @discardableResult
    func openAccount(for user: UserID) async throws -> Bool
    /// How many were opened (the rest were open already).
    func openAccounts(for users: [UserID]) async throws -> Int
    func balanceFen(of user: UserID) async throws -> Int64?
    /// Any account's balance, the system's own included (`/healthz` reads one).
    func balanceFen(of account: AccountID) async throws -> Int64?
    func receipt(ofTransfer id: Int64) async throws -> TransferReceipt?
    /// What `initiator` committed with `idempotencyKey` (a transfer, tip, top-up or red packet's
    /// funding), if anything: a retry is answered from it before any check that may have changed.
    func receipt(initiator: UserID, idempotencyKey: String) async throws -> TransferReceipt?
    func transfer(_ request: TransferRequest) async throws -> TransferResult
    /// One result per request, in order.
    func transferBatch(_ requests: [TransferRequest]) async -> [Result<TransferResult, any Error>]
    /// Nil when the wallet commits one transaction per transfer (`TransferCommitMode`).
    func groupCommitStatistics() async -> GroupCommitStatistics?
    func verify() async throws -> LedgerReport
    func createRedPacket(_ request: RedPacketRequest) async throws -> RedPacketResult
    func claimRedPacket(_ id: RedPacketID, by claimer: UserID) async throws -> ClaimResult
    func expireRedPackets(now: Int64?) async throws -> [RedPacketRefund]
    func redPacket(_ id: RedPacketID) async throws -> RedPacketState?
}

extension WalletRepository {
    /// Money from one user to another.
    public func transfer(from: UserID, to: UserID, amountFen: Int64, idempotencyKey: String) async throws -> TransferResult {
        try await transfer(.transfer(from: from, to: to, amountFen: amountFen, idempotencyKey: idempotencyKey))
    }

    /// A tip to a post's author.
    public func tip(
        from: UserID, to author: UserID, postID: Int64, circleID: CircleID? = nil, amountFen: Int64, idempotencyKey: String
    ) async throws -> TransferResult {
        try await transfer(.tip(from: from, to: author, postID: postID, circleID: circleID, amountFen: amountFen, idempotencyKey: idempotencyKey))
    }

    /// Money entering `user`'s account from outside, asked for by `admin` (whose key it is).
    public func topUp(_ user: UserID, by admin: UserID? = nil, amountFen: Int64, idempotencyKey: String) async throws -> TransferResult {
        try await transfer(.topUp(user, by: admin, amountFen: amountFen, idempotencyKey: idempotencyKey))
    }

    public func expireRedPackets() async throws -> [RedPacketRefund] { try await expireRedPackets(now: nil) }
}


/// Feed views: recorded (durably before returning, or written behind) and the posts each
/// viewer has seen.
public protocol ViewRecording: Sendable {
    func record(_ views: [RecordedView], at now: Int64) throws(QuanziError)
    /// Returns once every view recorded before the call is durable.
    func flush() throws(QuanziError)
    func seenPostIDs(_ viewer: UserID, circle: CircleID, since: Int64, before: Int64) throws -> Set<Int64>
    var currentStatistics: ViewRecordingStatistics { get }
}

