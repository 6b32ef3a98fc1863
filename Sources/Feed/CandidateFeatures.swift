import Foundation

/// The per-post feature transforms. They depend only on the post's counters, so the window
/// computes them when a counter changes, not on every request: the ranking loop then does no
/// logarithm at all. Stored as Float (ample for a ranking signal, half the memory traffic).
///
/// `log(1 + x)` rather than `log1p(x)`: the counters are integers, so 1 + x is exact and both are
/// equally accurate, and `log` is what Lua and SQLite have: the baselines in Benchmarks/ then
/// compute the very same features.
public enum CandidateFeatures {
    /// A comment counts as this many likes: it takes more effort.
    public static let commentWeight = 2.0
    /// The credit score range (Credit: 350–950); scores are clamped into it before normalizing.
    public static let creditScoreMin = 350
    public static let creditScoreMax = 950

    /// log1p(likes + 2·comments).
    public static func engagement(likeCount: Int32, commentCount: Int32) -> Float {
        Float(log(1 + (Double(max(0, likeCount)) + commentWeight * Double(max(0, commentCount)))))
    }

    /// log1p(tips in fen): the first yuan matters more than the hundredth.
    public static func tips(fen: Int64) -> Float {
        Float(log(1 + Double(max(0, fen))))
    }

    /// log1p(reports): the first reports say the most.
    public static func reports(count: Int32) -> Float {
        Float(log(1 + Double(max(0, count))))
    }

    /// (score − 350) / 600, in 0…1.
    public static func credit(score: Int32) -> Float {
        let clamped = min(max(Int(score), creditScoreMin), creditScoreMax)
        return Float(Double(clamped - creditScoreMin) / Double(creditScoreMax - creditScoreMin))
    }
}
