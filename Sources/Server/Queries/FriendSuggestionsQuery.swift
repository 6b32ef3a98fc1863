import Core
import Storage

/// Friend suggestions from payment contacts (see `Storage.PaymentContacts`).
struct FriendSuggestionsQuery: Sendable {
    let database: QuanziDatabase

    func suggestions(for user: UserID, limit: Int) async throws -> [(user: UserID, payments: Int)] {
        try await Blocking.run { [database] in try PaymentContacts(database: database).suggestions(for: user, limit: limit) }
    }
}
