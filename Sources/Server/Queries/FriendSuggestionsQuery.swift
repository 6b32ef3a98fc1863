import BlockingWork
import Core
import StorageModel

/// Friend suggestions from payment contacts (see `SQLiteStorage.PaymentContacts`).
struct FriendSuggestionsQuery: Sendable {
    let reads: any WalletReading

    func suggestions(for user: UserID, limit: Int) async throws -> [(user: UserID, payments: Int)] {
        try await Blocking.run { [reads] in try reads.paymentContacts(for: user, limit: limit) }
    }
}
