import Ledger
import StorageModel

struct BalanceView: Codable, Sendable {
    let userID: Int64
    let balanceFen: Int64

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", balanceFen = "balance_fen"
    }
}

/// A committed top-up, transfer or tip. Built from the ledger's receipt only, so an idempotent
/// replay (which returns the original receipt) produces the same body.
struct TransferView: Codable, Sendable {
    let transferID: Int64
    let kind: String
    /// Absent for top-ups (the money came from outside).
    let fromUserID: Int64?
    let toUserID: Int64?
    let amountFen: Int64
    let postID: Int64?
    let createdAt: Int64

    init(_ receipt: TransferReceipt) {
        transferID = receipt.transferID
        kind = receipt.kind.rawValue
        fromUserID = receipt.debit.userID?.rawValue
        toUserID = receipt.credit.userID?.rawValue
        amountFen = receipt.amountFen
        postID = receipt.postID
        createdAt = receipt.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case transferID = "transfer_id", kind, fromUserID = "from_user_id", toUserID = "to_user_id", amountFen = "amount_fen", postID = "post_id", createdAt = "created_at"
    }
}

/// One movement on the caller's account, signed from their side (negative: money left).
struct HistoryItemView: Codable, Sendable {
    let transferID: Int64
    let kind: String
    let amountFen: Int64
    /// The other user, when there is one (not for top-ups or red-packet escrow).
    let counterpartyUserID: Int64?
    let postID: Int64?
    let createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case transferID = "transfer_id", kind, amountFen = "amount_fen", counterpartyUserID = "counterparty_user_id", postID = "post_id", createdAt = "created_at"
    }
}

struct HistoryPage: Codable, Sendable {
    let items: [HistoryItemView]
    let nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case items, nextCursor = "next_cursor"
    }
}

struct AudienceView: Codable, Sendable {
    let kind: String
    let circleID: String?
    let userIDs: [Int64]?

    // The snake-case strategy would spell `userIDs` as `user_i_ds`.
    enum CodingKeys: String, CodingKey {
        case kind
        case circleID = "circle_id"
        case userIDs = "user_ids"
    }

    init(_ audience: RedPacketAudience) {
        kind = audience.kindName
        switch audience {
        case .friends: (circleID, userIDs) = (nil, nil)
        case .circle(let circle): (circleID, userIDs) = (circle.rawValue, nil)
        case .users(let users): (circleID, userIDs) = (nil, users.map(\.rawValue))
        }
    }
}

/// A created red packet. The share seed stays private: it would reveal every share in advance.
struct RedPacketView: Codable, Sendable {
    let id: Int64
    let senderID: Int64
    let split: String
    let totalFen: Int64
    let shareCount: Int
    let audience: AudienceView
    let createdAt: Int64
    let expiresAt: Int64

    init(_ receipt: RedPacketReceipt) {
        id = receipt.id.rawValue
        senderID = receipt.sender.rawValue
        split = receipt.split.rawValue
        totalFen = receipt.totalFen
        shareCount = receipt.shareCount
        audience = AudienceView(receipt.audience)
        createdAt = receipt.createdAt
        expiresAt = receipt.expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case id, senderID = "sender_id", split, totalFen = "total_fen", shareCount = "share_count", audience, createdAt = "created_at", expiresAt = "expires_at"
    }
}

struct ClaimView: Codable, Sendable {
    let redPacketID: Int64
    let claimerID: Int64
    let shareIndex: Int
    let amountFen: Int64
    let transferID: Int64
    let claimedAt: Int64

    init(_ claim: RedPacketClaim) {
        redPacketID = claim.redPacketID.rawValue
        claimerID = claim.claimer.rawValue
        shareIndex = claim.shareIndex
        amountFen = claim.amountFen
        transferID = claim.transferID
        claimedAt = claim.claimedAt
    }

    enum CodingKeys: String, CodingKey {
        case redPacketID = "red_packet_id", claimerID = "claimer_id", shareIndex = "share_index", amountFen = "amount_fen", transferID = "transfer_id", claimedAt = "claimed_at"
    }
}

struct RedPacketStateView: Codable, Sendable {
    let redPacket: RedPacketView
    let claims: [ClaimView]
    let remainingFen: Int64
    /// When the last share was claimed or the remainder refunded.
    let settledAt: Int64?

    init(_ state: RedPacketState) {
        redPacket = RedPacketView(state.receipt)
        claims = state.claims.map(ClaimView.init)
        remainingFen = state.remainingFen
        settledAt = state.settledAt
    }

    enum CodingKeys: String, CodingKey {
        case redPacket = "red_packet", claims, remainingFen = "remaining_fen", settledAt = "settled_at"
    }
}
