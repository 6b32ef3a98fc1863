/// Percentiles and caps of per-user values, decided once for every reader and report.
public enum Percentile {
    /// The `level` quantile of `sorted` (ascending), interpolating linearly between the order
    /// statistics at rank level·(n − 1) as SQL's PERCENTILE_CONT and numpy's default do; nil
    /// when there is no value.
    public static func continuous(sorted: [Double], level: Double) -> Double? {
        guard let first = sorted.first else { return nil }
        guard sorted.count > 1 else { return first }
        let rank = min(max(level, 0), 1) * Double(sorted.count - 1)
        let below = Int(rank.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        return sorted[below] + (rank - Double(below)) * (sorted[above] - sorted[below])
    }
}

extension MetricDefinition.Cap {
    /// The cap for these users' values (pooled over every variant): the declared value, or the
    /// percentile of the values (of the non-zero ones with `ignoreZeros`). Nil when a percentile
    /// has no value to be taken from, and then nothing is capped.
    ///
    /// The values are the readers' per-user totals, which they hold anyway (one slot per exposed
    /// user and sum, never per event): the percentile sorts a copy of one column, so the memory
    /// stays bounded by the exposed users, as the totals' is.
    public func capValue(of values: some Sequence<Double>) -> Double? {
        switch self {
        case .value(let value): return value
        case .percentile(let level, let ignoreZeros):
            let kept = ignoreZeros ? values.filter { $0 != 0 } : Array(values)
            return Percentile.continuous(sorted: kept.sorted(), level: level)
        }
    }

    /// How the report names it: "p99", "p99 of non-zero values", "20000".
    public var label: String {
        switch self {
        case .value(let value): return value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .percentile(let level, let ignoreZeros):
            let percent = level * 100
            let text = percent.rounded() == percent ? String(Int(percent)) : String(percent)
            return "p\(text)" + (ignoreZeros ? " of non-zero values" : "")
        }
    }
}
