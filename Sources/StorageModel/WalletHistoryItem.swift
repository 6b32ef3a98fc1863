import Core

/// One ledger entry of a user's wallet history (`WalletHistory.Item` on both backends).
public struct WalletHistoryItem: Sendable, Hashable {
    public var entryID: Int64
    public var transferID: Int64
    public var kind: String
    /// Signed: negative when money left the account.
    public var amountFen: Int64
    /// The other side of the movement, when it is a user.
    public var counterpartyUserID: UserID?
    public var postID: Int64?
    public var createdAtEpochSeconds: Int64

    /// The item for an entry of `amountFen` on a transfer between `debitAccountID` and `creditAccountID`.
    public init(
        entryID: Int64, transferID: Int64, kind: String, amountFen: Int64, debitAccountID: Int64, creditAccountID: Int64,
        postID: Int64?, createdAtEpochSeconds: Int64
    ) {
        let other = amountFen < 0 ? creditAccountID : debitAccountID
        self.entryID = entryID
        self.transferID = transferID
        self.kind = kind
        self.amountFen = amountFen
        counterpartyUserID = other > 0 ? UserID(other) : nil
        self.postID = postID
        self.createdAtEpochSeconds = createdAtEpochSeconds
    }
}
