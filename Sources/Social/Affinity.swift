import Foundation

/// How close a viewer is to an author, from their interactions, decaying over time.
///
/// Stored per (viewer, author) pair as a raw score and the time it was last updated, so that a
/// new interaction is one update (decay the old score to now, add the new weight) and a read is
/// one multiplication: no scan of history.
public enum Affinity {
    /// An interaction counts half as much after this long: friendships fade over months.
    public static let halfLifeDays = 30.0
    /// The raw score at which affinity reaches 1 − 1/e ≈ 0.63.
    public static let scoreScale = 10.0

    public enum Interaction: String, Sendable, CaseIterable {
        case like, comment, tip, transfer, redPacket

        /// Weights: a comment is more effort than a like; money is the strongest signal.
        public var weight: Double {
            switch self {
            case .like: 1
            case .comment: 2
            case .tip: 3
            case .transfer: 4
            case .redPacket: 3
            }
        }
    }

    /// `score` recorded at `updatedAtEpochSeconds`, decayed to `nowEpochSeconds`.
    public static func decayed(_ score: Double, updatedAtEpochSeconds: Int64, nowEpochSeconds: Int64) -> Double {
        let ageDays = Double(max(0, nowEpochSeconds - updatedAtEpochSeconds)) / 86_400
        return score * pow(0.5, ageDays / halfLifeDays)
    }

    /// Affinity in [0, 1) from a decayed raw score.
    public static func normalized(_ score: Double) -> Double {
        1 - exp(-max(0, score) / scoreScale)
    }
}
