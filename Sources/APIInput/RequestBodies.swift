// APIInput: what clients may send the HTTP API, decoded strictly at the edge. It sees no HTTP
// framework so the fuzz target (Fuzz/) can drive exactly the decoders the server uses.
import Core
import Ledger
import Social

/// `POST /v1/wallet/transfers`.
public struct NewTransfer: Decodable, Sendable {
    public let toUserID: Int64
    public let amountFen: Int64
    enum CodingKeys: String, CodingKey {
        case toUserID = "to_user_id"
        case amountFen = "amount_fen"
    }
}

/// `POST /v1/wallet/top-ups` (admin).
public struct NewTopUp: Decodable, Sendable {
    public let userID: Int64
    public let amountFen: Int64
    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case amountFen = "amount_fen"
    }
}

/// `POST /v1/posts/:id/tips`.
public struct NewTip: Decodable, Sendable {
    public let amountFen: Int64
    enum CodingKeys: String, CodingKey { case amountFen = "amount_fen" }
}

/// `POST /v1/friends/requests`.
public struct NewFriendRequest: Decodable, Sendable {
    public let toUserID: Int64
    enum CodingKeys: String, CodingKey { case toUserID = "to_user_id" }
}

/// `POST /v1/circles/:id/posts`.
public struct NewPost: Decodable, Sendable {
    public let kind: PostKind?
    public let body: String
}

/// `POST /v1/posts/:id/comments`.
public struct NewComment: Decodable, Sendable {
    public let body: String
}

/// `POST /v1/posts/:id/reports`.
public struct NewReport: Decodable, Sendable {
    public let reason: String
}

/// `POST /v1/experiments/:id/stop` (admin).
public struct StopExperiment: Decodable, Sendable {
    public let reason: String?
}

/// `POST /v1/experiments/:id/advance`, `/hold` and `/release` (admin): why, for the record.
public struct RampExperiment: Decodable, Sendable {
    public let reason: String?
}

/// `POST /v1/experiments/:id/ship` (admin).
public struct ShipExperiment: Decodable, Sendable {
    public let variant: String
    public let reason: String?
}

/// `POST /v1/me/exposures`: the app showed the caller `experiment_id`'s change. The id is checked
/// here (experiment ids follow circle ids' rule, as the experiment loader checks them), and a key
/// the route does not know is refused rather than ignored: a misspelt field must not pass as a
/// report.
public struct NewExposure: Decodable, Sendable {
    public let experimentID: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case experimentID = "experiment_id"
    }

    public init(from decoder: any Decoder) throws {
        try RequestBodyDecoder.refuseUnknownKeys(in: decoder, known: CodingKeys.allCases)
        let id = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .experimentID)
        guard CircleID.isWellFormed(id) else {
            throw RequestBodyError.invalidField(
                CodingKeys.experimentID.rawValue, why: "must be an experiment id: 1 to 64 lowercase letters, digits or dashes, not starting with a dash")
        }
        experimentID = id
    }
}

/// `POST /v1/red-packets`.
public struct NewRedPacket: Decodable, Sendable {
    public struct Audience: Decodable, Sendable {
        public let kind: String
        public let circleID: String?
        public let userIDs: [Int64]?
        enum CodingKeys: String, CodingKey {
            case kind
            case circleID = "circle_id"
            case userIDs = "user_ids"
        }
    }

    public let split: RedPacketSplit
    public let totalFen: Int64
    public let shareCount: Int
    public let audience: Audience
    enum CodingKeys: String, CodingKey {
        case split, audience
        case totalFen = "total_fen"
        case shareCount = "share_count"
    }
}

/// `POST /v1/moderation/items/:id/approve` (moderator): an optional note kept with the decision.
public struct ApproveModeration: Decodable, Sendable {
    public let note: String?
}

/// `POST /v1/moderation/items/:id/remove` (moderator): the reason the author is shown.
public struct RemoveModeration: Decodable, Sendable {
    public let reason: String
}

/// `POST /v1/posts/:id/appeal` (the post's author, once, after a removal).
public struct NewAppeal: Decodable, Sendable {
    public let text: String?
}
