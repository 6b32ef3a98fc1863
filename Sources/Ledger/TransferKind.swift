/// Why money moved; stored as text in `ledger_transfers.kind`, and the schema checks which
/// accounts each kind may touch.
public enum TransferKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// From the external account into a user's account.
    case topUp = "topup"
    /// Between two users.
    case transfer
    /// Between two users, for a post.
    case tip
    /// From the sender into red-packet escrow.
    case redPacketCreate = "redpacket_create"
    /// From escrow to a claimer.
    case redPacketClaim = "redpacket_claim"
    /// From escrow back to the sender after expiry.
    case redPacketRefund = "redpacket_refund"
}
