import BlockingWork
import Core
import StorageModel

/// A page of wallet history as the API shows it (see `SQLiteStorage.WalletHistory`).
struct WalletHistoryQuery: Sendable {
    let reads: any WalletReading

    func page(of user: UserID, before: Int64?, limit: Int) async throws -> HistoryPage {
        let (items, next) = try await Blocking.run { [reads] in try reads.historyPage(of: user, before: before, limit: limit) }
        return HistoryPage(
            items: items.map { item in
                HistoryItemView(transferID: item.transferID, kind: item.kind, amountFen: item.amountFen,
                                counterpartyUserID: item.counterpartyUserID?.rawValue, postID: item.postID, createdAt: item.createdAtEpochSeconds)
            },
            nextCursor: next.map(String.init))
    }
}
