import Credit

/// A credit score (350–950) with each dimension and the reasons behind its points.
struct CreditView: Codable, Sendable {
    struct Reason: Codable, Sendable {
        let code: String
        let message: String
        let points: Int
    }

    struct Dimension: Codable, Sendable {
        let dimension: String
        let points: Int
        let maxPoints: Int
        let reasons: [Reason]

        enum CodingKeys: String, CodingKey {
            case dimension, points, maxPoints = "max_points", reasons
        }
    }

    let userID: Int64
    let score: Int
    let dimensions: [Dimension]

    init(_ report: CreditReport) {
        userID = report.userID.rawValue
        score = report.score
        dimensions = report.dimensions.map { dimension in
            Dimension(
                dimension: dimension.dimension.rawValue, points: dimension.points, maxPoints: dimension.dimension.maximumPoints,
                reasons: dimension.reasons.map { Reason(code: $0.code.rawValue, message: $0.message, points: $0.points) })
        }
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", score, dimensions
    }
}
