/// The two shapes every sub-score is built from. Both are monotone, so more of a good thing never
/// lowers a score and more of a bad thing never raises one.
enum Curve {
    /// `x / (x + half)`: 0 at 0, ½ at `half`, approaching 1. Counts get diminishing returns and
    /// no cliff, so there is no threshold worth gaming.
    static func saturating(_ x: Double, half: Double) -> Double {
        x <= 0 ? 0 : x / (x + half)
    }

    /// 0 at or below `start`, rising linearly to 1 at `full` and staying there. For durations,
    /// where "full credit after N days" is easy to explain.
    static func ramp(_ x: Double, from start: Double, to full: Double) -> Double {
        min(1, max(0, (x - start) / (full - start)))
    }
}

/// "1 post", "3 posts": reason sentences are read by people.
func counted(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
}
