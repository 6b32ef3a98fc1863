import APIInput
import Core
import Hummingbird
import Ledger
import Service

/// `/v1/wallet`: the caller's balance and history, transfers to other users, and top-ups (admin).
/// A user only ever reads their own account: no route takes another user's id for reading.
struct WalletController {
    let service: QuanziService
    let history: WalletHistoryQuery
    let metrics: ServerMetrics

    /// `money` adds the money rate limit; `admin` is within it and needs the admin role.
    func addRoutes(
        to group: RouterGroup<QuanziRequestContext>, money: RouterGroup<QuanziRequestContext>, admin: RouterGroup<QuanziRequestContext>
    ) {
        group.get("wallet", use: balance)
        group.get("wallet/history", use: historyPage)
        money.post("wallet/transfers", use: transfer)
        admin.post("wallet/top-ups", use: topUp)
    }

    @Sendable func balance(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        guard let balance = try await service.wallet.balanceFen(of: caller.userID) else { throw LedgerError.accountNotFound }
        return try JSONResponse.make(BalanceView(userID: caller.userID.rawValue, balanceFen: balance))
    }

    @Sendable func historyPage(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let page = try PageQuery(request)
        return try JSONResponse.make(try await history.page(of: caller.userID, before: page.cursor, limit: page.limit))
    }

    @Sendable func transfer(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let key = try request.idempotencyKey()
        let body = try await request.decodeJSON(as: NewTransfer.self, context: context)
        // Through the service, as every caller: the transfer's affinity commits with its batch.
        let result = try await service.transfer(
            from: caller.userID, to: try UserID(positive: body.toUserID, field: "to_user_id"), amountFen: body.amountFen,
            idempotencyKey: key)
        return try MoneyResponse(metrics: metrics).respond(result, kind: "transfer", view: TransferView.init)
    }

    /// Admin only. The key is the admin's own (the ledger keys the top-up by its signer): a retry
    /// naming another user is a key reused with different parameters, and a key of the credited
    /// user's own is another key altogether.
    @Sendable func topUp(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let key = try request.idempotencyKey()
        let body = try await request.decodeJSON(as: NewTopUp.self, context: context)
        let result = try await service.topUp(
            try UserID(positive: body.userID, field: "user_id"), by: caller.userID, amountFen: body.amountFen, idempotencyKey: key)
        return try MoneyResponse(metrics: metrics).respond(result, kind: "topup", view: TransferView.init)
    }
}
