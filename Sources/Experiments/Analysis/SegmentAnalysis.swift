/// The users of one value of one segment, as the readers split them.
public struct SegmentGroup: Sendable {
    public var segment: String
    public var value: String
    /// In the spec's variant order.
    public var variants: [VariantObservations]

    public init(segment: String, value: String, variants: [VariantObservations]) {
        self.segment = segment
        self.value = value
        self.variants = variants
    }
}

extension ExperimentReport {
    /// Every metric for the users of one segment value.
    public struct SegmentValueResult: Sendable, Hashable, Codable {
        public var value: String
        /// Analysed users per variant, in variant order.
        public var usersPerVariant: [Int]
        /// Fewer than `ExperimentSpec.segmentMinUsersPerVariant` users in some variant: the arms
        /// are shown, no comparison is made and none enters the correction.
        public var tooSmall: Bool
        public var metrics: [MetricResult]
    }

    public struct SegmentBreakdown: Sendable, Hashable, Codable {
        public var segment: String
        /// Largest first; "other" (values beyond `ExperimentSpec.segmentValuesMax`) and "none"
        /// (the function returned nil) last.
        public var values: [SegmentValueResult]
    }
}

extension ExperimentSpec {
    /// Users a segment value needs in every variant before its comparisons are made.
    public static let segmentMinUsersPerVariant = 50
    /// The label of the users whose value is beyond the `segmentValuesMax` largest.
    public static let otherSegmentValue = "other"
    /// The label of the users whose segment function returned nil.
    public static let noSegmentValue = "none"
}

extension ExperimentAnalyzer {
    /// The segment breakdown: every metric per segment value, the comparisons of all of them
    /// corrected together by Benjamini–Hochberg, and each judged by its adjusted p-value.
    ///
    /// Why Benjamini–Hochberg, whatever the experiment's own correction: a breakdown is a search
    /// (which city, which cohort), dozens of comparisons at once (segments × values × metrics ×
    /// variants). Holm would ask the best of 100 for p < α/100 and hide every real difference;
    /// BH keeps the expected share of false findings among those flagged at α. When nothing
    /// differs anywhere (an A/A test), every flag is false, so the chance of any flag at all is
    /// at most α too: `ab calibrate` measures that rate.
    ///
    /// Segment results never decide: the verdicts, guardrails and stops come from the whole
    /// population only.
    public static func segments(_ groups: [SegmentGroup], input: Input) -> [ExperimentReport.SegmentBreakdown] {
        var breakdowns: [ExperimentReport.SegmentBreakdown] = []
        for group in groups {
            var groupInput = input
            groupInput.variants = group.variants
            let users = group.variants.map(\.users)
            let tooSmall = (users.min() ?? 0) < ExperimentSpec.segmentMinUsersPerVariant
            var metrics: [ExperimentReport.MetricResult] = []
            for metricID in input.spec.allMetrics {
                guard let definition = input.metrics.first(where: { $0.id == metricID }) else { continue }
                var metric = result(for: definition, role: role(of: metricID, in: input.spec), input: groupInput)
                if tooSmall {
                    metric.comparisons = metric.comparisons.map { comparison in
                        ExperimentReport.Comparison(
                            variant: comparison.variant, relativeLift: comparison.relativeLift, ciLower: 0, ciUpper: 0, pValue: nil,
                            adjustedPValue: nil, significant: false, cupedVarianceReduction: nil,
                            unavailable: "fewer than \(ExperimentSpec.segmentMinUsersPerVariant) users in a variant of this segment",
                            test: comparison.test)
                    }
                }
                metrics.append(metric)
            }
            let value = ExperimentReport.SegmentValueResult(value: group.value, usersPerVariant: users, tooSmall: tooSmall, metrics: metrics)
            if let index = breakdowns.firstIndex(where: { $0.segment == group.segment }) {
                breakdowns[index].values.append(value)
            } else {
                breakdowns.append(ExperimentReport.SegmentBreakdown(segment: group.segment, values: [value]))
            }
        }
        correctSegments(&breakdowns, alpha: input.spec.alpha)
        return breakdowns
    }

    /// Adjusts every segment comparison's p-value together (BH) and judges each by it.
    static func correctSegments(_ breakdowns: inout [ExperimentReport.SegmentBreakdown], alpha: Double) {
        var positions: [(Int, Int, Int, Int)] = []
        var pValues: [Double] = []
        for (b, breakdown) in breakdowns.enumerated() {
            for (v, value) in breakdown.values.enumerated() {
                for (m, metric) in value.metrics.enumerated() {
                    for (c, comparison) in metric.comparisons.enumerated() {
                        guard let pValue = comparison.pValue else { continue }
                        positions.append((b, v, m, c))
                        pValues.append(pValue)
                    }
                }
            }
        }
        let adjusted = MultipleComparisons.adjust(pValues, method: .benjaminiHochberg)
        for ((b, v, m, c), value) in zip(positions, adjusted) {
            breakdowns[b].values[v].metrics[m].comparisons[c].adjustedPValue = value
            breakdowns[b].values[v].metrics[m].comparisons[c].significant = value < alpha
        }
    }

    /// Groups users by their segment values: per segment, the `segmentValuesMax` values with the
    /// most users (ties by value), then "other" and "none". `values[user][segment]`; returns, per
    /// segment in order, its groups as (value, user indices).
    public static func segmentGroups(segments: [String], values: [[String?]]) -> [(segment: String, groups: [(value: String, users: [Int])])] {
        segments.enumerated().map { segmentIndex, segment in
            var byValue: [String: [Int]] = [:]
            var none: [Int] = []
            for (user, row) in values.enumerated() {
                if segmentIndex < row.count, let value = row[segmentIndex] { byValue[value, default: []].append(user) } else { none.append(user) }
            }
            let ranked = byValue.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }
            var groups: [(value: String, users: [Int])] = ranked.prefix(ExperimentSpec.segmentValuesMax).map { ($0.key, $0.value) }
            let rest = ranked.dropFirst(ExperimentSpec.segmentValuesMax).flatMap(\.value).sorted()
            if !rest.isEmpty { groups.append((ExperimentSpec.otherSegmentValue, rest)) }
            if !none.isEmpty { groups.append((ExperimentSpec.noSegmentValue, none)) }
            return (segment, groups)
        }
    }
}
