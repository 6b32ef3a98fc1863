import Core

/// What a decided batch records in the event log, in the same transaction as its money. The
/// storage layer turns each into its event row; the state machines decide which happen.
public enum LedgerEvent: Sendable, Hashable {
    /// A top-up, transfer or tip; `circleID` is the tipped post's circle (tips only).
    case transferCommitted(TransferReceipt, circleID: CircleID?)
    case redPacketCreated(RedPacketRequest, id: RedPacketID, fundTransferID: Int64, at: Int64)
    case redPacketClaimed(RedPacketClaim, sender: UserID)
    case redPacketRefunded(RedPacketRefund, at: Int64)
}
