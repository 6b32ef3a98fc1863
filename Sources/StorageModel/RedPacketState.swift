import Ledger

/// A red packet with its claims, for showing it to people.
public struct RedPacketState: Sendable, Hashable {
    public let receipt: RedPacketReceipt
    public let claims: [RedPacketClaim]
    /// The refund of the remainder, once the packet expired with shares left.
    public let refundTransferID: Int64?
    /// When the packet stopped holding escrow (last claim or refund).
    public let settledAt: Int64?

    public init(receipt: RedPacketReceipt, claims: [RedPacketClaim], refundTransferID: Int64?, settledAt: Int64?) {
        self.receipt = receipt
        self.claims = claims
        self.refundTransferID = refundTransferID
        self.settledAt = settledAt
    }

    /// Fen still claimable (0 once settled).
    public var remainingFen: Int64 {
        settledAt == nil ? receipt.totalFen - claims.reduce(0) { $0 + $1.amountFen } : 0
    }
}
