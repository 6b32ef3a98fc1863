import Core
import Ledger

/// The events money movements record, in the same transaction as the money, on either backend.
extension Event {
    /// `topup.committed`, `transfer.committed` or `tip.sent` for a committed transfer.
    public static func committed(_ receipt: TransferReceipt, circleID: CircleID?) -> Event {
        let context = "{\"transfer_id\":\(receipt.transferID)}"
        switch receipt.kind {
        case .topUp:
            return Event(
                kind: .topUpCommitted, at: receipt.createdAt, userID: receipt.credit.userID,
                amountFen: receipt.amountFen, context: context)
        case .tip:
            return Event(
                kind: .tipSent, at: receipt.createdAt, userID: receipt.debit.userID, circleID: circleID,
                postID: receipt.postID, targetUserID: receipt.credit.userID, amountFen: receipt.amountFen,
                context: context)
        default:
            return Event(
                kind: .transferCommitted, at: receipt.createdAt, userID: receipt.debit.userID,
                targetUserID: receipt.credit.userID, amountFen: receipt.amountFen, context: context)
        }
    }

    /// `redpacket.created` for a packet funded by `fundTransferID`.
    public static func redPacketCreated(_ request: RedPacketRequest, id: RedPacketID, fundTransferID: Int64, at now: Int64) -> Event {
        let circleID: CircleID? = if case .circle(let circle) = request.audience { circle } else { nil }
        return Event(
            kind: .redPacketCreated, at: now, userID: request.sender, circleID: circleID, amountFen: request.totalFen,
            context: "{\"red_packet_id\":\(id.rawValue),\"transfer_id\":\(fundTransferID),"
                + "\"split\":\"\(request.split.rawValue)\",\"share_count\":\(request.shareCount)}")
    }

    /// `redpacket.claimed` for a claimed share of a packet `sender` sent.
    public static func redPacketClaimed(_ claim: RedPacketClaim, sender: UserID) -> Event {
        Event(
            kind: .redPacketClaimed, at: claim.claimedAt, userID: claim.claimer, targetUserID: sender,
            amountFen: claim.amountFen,
            context: "{\"red_packet_id\":\(claim.redPacketID.rawValue),\"transfer_id\":\(claim.transferID),\"share_index\":\(claim.shareIndex)}")
    }

    /// `redpacket.refunded` for the remainder of an expired packet.
    public static func redPacketRefunded(_ refund: RedPacketRefund, at now: Int64) -> Event {
        Event(
            kind: .redPacketRefunded, at: now, userID: refund.sender, amountFen: refund.amountFen,
            context: "{\"red_packet_id\":\(refund.redPacketID.rawValue),\"transfer_id\":\(refund.transferID)}")
    }
}

extension Event {
    /// The event row of what a ledger state machine decided.
    public init(_ ledgerEvent: LedgerEvent) {
        switch ledgerEvent {
        case .transferCommitted(let receipt, let circleID): self = .committed(receipt, circleID: circleID)
        case .redPacketCreated(let request, let id, let fundTransferID, let now):
            self = .redPacketCreated(request, id: id, fundTransferID: fundTransferID, at: now)
        case .redPacketClaimed(let claim, let sender): self = .redPacketClaimed(claim, sender: sender)
        case .redPacketRefunded(let refund, let now): self = .redPacketRefunded(refund, at: now)
        }
    }
}
