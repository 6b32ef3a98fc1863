import Core

/// A user's score with its five dimensions and the reasons behind each.
public struct CreditReport: Sendable, Hashable, Codable {
    public let userID: UserID
    /// 350–950: `CreditScale.minimumScore` plus the points of every dimension.
    public let score: Int
    /// One entry per `CreditDimension`, in `CreditDimension.allCases` order.
    public let dimensions: [CreditDimensionScore]

    init(userID: UserID, dimensions: [CreditDimensionScore]) {
        self.userID = userID
        self.dimensions = dimensions
        self.score = CreditScale.minimumScore + dimensions.reduce(0) { $0 + $1.points }
    }

    /// The score of one dimension.
    public func dimension(_ dimension: CreditDimension) -> CreditDimensionScore {
        guard let found = dimensions.first(where: { $0.dimension == dimension }) else {
            preconditionFailure("a credit report always has every dimension")
        }
        return found
    }

    /// Every reason, dimension by dimension.
    public var reasons: [CreditReason] { dimensions.flatMap(\.reasons) }
}

/// The five dimensions of a Sesame-style score.
public enum CreditDimension: String, Sendable, Hashable, Codable, CaseIterable {
    /// 身份特质: real-name verification, occupation, school or employer, city.
    case identity
    /// 信用历史: how long and how much the wallet has been used.
    case history
    /// 行为偏好 / 履约能力: top-ups, payments made, payments refused.
    case paymentBehaviour = "payment_behaviour"
    /// Behaviour in circles: moderation outcomes.
    case conduct
    /// 人脉关系: the credit of the people one deals with.
    case connections

    /// The points this dimension can add to the minimum score; they sum to
    /// `CreditScale.dimensionPointsTotal`.
    ///
    /// Chosen from the commonly reported Sesame weights (history 35%, behaviour 25%, capacity 20%,
    /// identity 15%, connections 5%; press reports, not official): we have no capacity signal, so
    /// its 20% goes to conduct (moderation outcomes, which this product has), and 5% moves from
    /// history to connections because the relationship graph is why the wallet went social.
    public var maximumPoints: Int {
        switch self {
        case .identity: 90  // 15%
        case .history: 180  // 30%
        case .paymentBehaviour: 150  // 25%
        case .conduct: 120  // 20%
        case .connections: 60  // 10%
        }
    }
}

/// One dimension's points and why.
public struct CreditDimensionScore: Sendable, Hashable, Codable {
    public let dimension: CreditDimension
    /// 0 through `dimension.maximumPoints`.
    public let points: Int
    /// What raised or lowered the points, in a fixed order per dimension.
    public let reasons: [CreditReason]

    init(dimension: CreditDimension, points: Int, reasons: [CreditReason]) {
        self.dimension = dimension
        self.points = points
        self.reasons = reasons
    }
}

/// Why a dimension has the points it has: a stable code for programs and a sentence for people.
public struct CreditReason: Sendable, Hashable, Codable, CustomStringConvertible {
    public let code: CreditReasonCode
    /// A sentence a user can read, e.g. "2 posts hidden by moderation in the last 90 days".
    public let message: String
    /// Points this reason added (negative: took away), rounded on its own; a dimension's reasons
    /// can differ from its total by rounding and by the clamp to the dimension's range.
    public let points: Int

    init(code: CreditReasonCode, message: String, points: Int) {
        self.code = code
        self.message = message
        self.points = points
    }

    public var description: String { "\(code.rawValue) (\(points >= 0 ? "+" : "")\(points)): \(message)" }
}
