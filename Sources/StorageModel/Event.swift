import Core

/// One row of the events table. Metrics and experiment analysis are computed from these rows.
public struct Event: Sendable, Hashable, Codable {
    public var id: Int64?
    public var kind: String
    public var at: Int64
    public var userID: Int64?
    public var circleID: String?
    public var postID: Int64?
    public var targetUserID: Int64?
    public var amountFen: Int64?
    public var experimentID: String?
    public var variant: String?
    /// Extra detail as JSON text.
    public var context: String?

    enum CodingKeys: String, CodingKey {
        case id, kind, at, variant, context
        case userID = "user_id", circleID = "circle_id", postID = "post_id", targetUserID = "target_user_id"
        case amountFen = "amount_fen", experimentID = "experiment_id"
    }

    public init(
        kind: EventKind, at: Int64, userID: UserID? = nil, circleID: CircleID? = nil, postID: Int64? = nil,
        targetUserID: UserID? = nil, amountFen: Int64? = nil, experimentID: String? = nil, variant: String? = nil,
        context: String? = nil
    ) {
        self.kind = kind.rawValue
        self.at = at
        self.userID = userID?.rawValue
        self.circleID = circleID?.rawValue
        self.postID = postID
        self.targetUserID = targetUserID?.rawValue
        self.amountFen = amountFen
        self.experimentID = experimentID
        self.variant = variant
        self.context = context
    }
}
