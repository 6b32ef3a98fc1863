/// Adjusted p-values for many metrics or variants at once; the report names the method it used.
public enum MultipleComparisons {
    /// The correction to apply.
    public enum Method: String, Sendable, Hashable, CaseIterable {
        /// Holm's step-down method: controls the family-wise error rate.
        case holm
        /// Benjamini–Hochberg step-up method: controls the false discovery rate.
        case benjaminiHochberg
    }

    /// Adjusted p-values in the input order.
    public static func adjust(_ pValues: [Double], method: Method) -> [Double] {
        switch method {
        case .holm: holm(pValues)
        case .benjaminiHochberg: benjaminiHochberg(pValues)
        }
    }

    /// Holm: the i-th smallest p becomes max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎).
    public static func holm(_ pValues: [Double]) -> [Double] {
        let m = Double(pValues.count)
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 0, count: pValues.count)
        var runningMax = 0.0
        for (rank, index) in order.enumerated() {
            runningMax = max(runningMax, min(1, (m - Double(rank)) * pValues[index]))
            adjusted[index] = runningMax
        }
        return adjusted
    }

    /// Benjamini–Hochberg: the i-th smallest p becomes min over j ≥ i of min(1, m·p₍ⱼ₎/j).
    public static func benjaminiHochberg(_ pValues: [Double]) -> [Double] {
        let m = Double(pValues.count)
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 0, count: pValues.count)
        var runningMin = 1.0
        for (rank, index) in order.enumerated().reversed() {
            runningMin = min(runningMin, m * pValues[index] / Double(rank + 1))
            adjusted[index] = runningMin
        }
        return adjusted
    }
}
