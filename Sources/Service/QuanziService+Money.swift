import BlockingWork
import Core
import Ledger
import LuaHost
import Social
import StorageModel

extension QuanziService {
    /// Tips a post's author: a retried key gets its first answer (see `retriedTip`), else the post
    /// must be visible to the tipper, a malformed amount or key is refused whatever the rule says
    /// (the client's mistake comes first), the circle's `tip` rule decides (with the amount), then
    /// the wallet moves the money. A committed tip reaches the feed and the tipper's affinity.
    /// Every caller (HTTP, REPL, simulation) tips through here.
    public func tip(_ postID: Int64, by user: UserID, amountFen: Int64, idempotencyKey: String) async throws(QuanziError) -> TransferResult {
        if let retried = try await retriedTip(postID, by: user, amountFen: amountFen, idempotencyKey: idempotencyKey) { return retried }
        let post = try await Blocking.anyThread { () throws(QuanziError) -> Post in try self.viewablePost(postID, by: user) }
        let request = TransferRequest.tip(
            from: user, to: post.authorID, postID: post.id, circleID: post.circleID, amountFen: amountFen, idempotencyKey: idempotencyKey)
        if let error = request.fieldError(limits: wallet.limits) { return .rejected(error) }
        try await Blocking.anyThread { () throws(QuanziError) in
            try self.requireAllowed(user, .tip, in: post.circleID, post: post, amountFen: amountFen)
        }
        // The wallet counts a committed tip in the feed and the tipper's affinity (see `WalletService`).
        return try await Self.walletCall { try await wallet.submit(request) }
    }

    /// The first answer to a tip retried with `idempotencyKey`, or nil when the key is new. Asked
    /// before any other check: since the first request the post may have been hidden or deleted,
    /// the circle's rule edited or the tipper's credit changed, and a retry must not see that.
    public func retriedTip(_ postID: Int64, by user: UserID, amountFen: Int64, idempotencyKey: String) async throws(QuanziError)
        -> TransferResult?
    {
        let earlier = try await Self.walletCall { try await wallet.receipt(initiator: user, idempotencyKey: idempotencyKey) }
        return earlier.map { .retriedTip(of: $0, by: user, postID: postID, amountFen: amountFen) }
    }

    /// Money from one user to another; committed transfers strengthen affinity both ways (in the
    /// same transaction: see `WalletService`).
    public func transfer(from: UserID, to: UserID, amountFen: Int64, idempotencyKey: String) async throws(QuanziError) -> TransferResult {
        try await Self.walletCall { try await wallet.transfer(from: from, to: to, amountFen: amountFen, idempotencyKey: idempotencyKey) }
    }

    /// Money entering `user`'s account from outside, asked for by `admin` (whose idempotency key it is).
    public func topUp(_ user: UserID, by admin: UserID, amountFen: Int64, idempotencyKey: String) async throws(QuanziError) -> TransferResult {
        try await Self.walletCall { try await wallet.topUp(user, by: admin, amountFen: amountFen, idempotencyKey: idempotencyKey) }
    }

    /// A wallet call whose overload (a full group-commit queue) is `overloaded`, not a storage fault.
    static func walletCall<T>(_ body: () async throws -> T) async throws(QuanziError) -> T {
        do {
            return try await body()
        } catch let error as QuanziError {
            throw error
        } catch let error as WalletOverloaded {
            throw QuanziError(.overloaded, error.description)
        } catch {
            throw QuanziError(.storageFailure, "storage failure: \(error)")
        }
    }
}
