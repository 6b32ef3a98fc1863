import Foundation

/// The outcome of analysing an experiment: what `report.json` holds and `report.html` shows.
public struct ExperimentReport: Sendable, Hashable, Codable {
    public struct VariantRow: Sendable, Hashable, Codable {
        public var name: String
        public var weight: Double
        public var users: Int
    }

    public struct SampleRatio: Sendable, Hashable, Codable {
        public var chiSquare: Double
        public var pValue: Double
        /// p < 0.001: assignment or logging is broken; no verdict is given.
        public var mismatch: Bool
    }

    public struct ArmValue: Sendable, Hashable, Codable {
        public var variant: String
        public var users: Int
        /// Mean per user, share of users, or ratio.
        public var value: Double
    }

    public struct Comparison: Sendable, Hashable, Codable {
        public var variant: String
        /// (treatment − control) / |control|.
        public var relativeLift: Double
        /// At least −1 (the metrics are non-negative).
        public var ciLower: Double
        /// +∞ when the control's value cannot yet be told from zero (written as null in JSON).
        public var ciUpper: Double
        /// Nil for sequential tests, which judge by their always-valid interval.
        public var pValue: Double?
        /// After the correction across metrics and variants.
        public var adjustedPValue: Double?
        public var significant: Bool
        /// Share of variance CUPED removed, when it applied.
        public var cupedVarianceReduction: Double?
        /// Why no test could be made (too few users, zero control mean…).
        public var unavailable: String?
        /// The test that judged it, e.g. "pooled z" or "sequential pooled z + CUPED" (`PooledTest`).
        public var test: String? = nil
        /// The Bayesian view of the same comparison; nil when gbstats would give none.
        public var bayesian: BayesianView? = nil
    }

    public enum Role: String, Sendable, Hashable, Codable {
        case primary, secondary, guardrail
    }

    public struct MetricResult: Sendable, Hashable, Codable {
        public var id: String
        public var description: String?
        public var kind: String
        public var role: Role
        public var higherIsBetter: Bool
        public var arms: [ArmValue]
        public var comparisons: [Comparison]
        /// The cap the users' values were lowered to, when the metric declares one.
        public var cap: AppliedCap? = nil
    }

    /// A metric's cap as applied: the rule, the value it came to and how many users it touched.
    public struct AppliedCap: Sendable, Hashable, Codable {
        /// "p99", "p99 of non-zero values", or the declared value.
        public var rule: String
        /// The value every user's was lowered to (pooled over every variant); nil while a
        /// percentile has no value to be taken from (then nothing is capped).
        public var value: Double?
        /// Analysed users whose value was above the cap, in every variant together.
        public var usersCapped: Int

        public init(rule: String, value: Double?, usersCapped: Int) {
            self.rule = rule
            self.value = value
            self.usersCapped = usersCapped
        }
    }

    /// GrowthBook's Bayesian reading of a comparison (`BayesianTest`, flat prior): shown beside
    /// the test, never used to decide.
    public struct BayesianView: Sendable, Hashable, Codable {
        /// P(the variant is better than the control), "better" in the metric's direction.
        public var chanceToWin: Double
        /// Expected relative loss of keeping the control, and of choosing the variant.
        public var riskControl: Double
        public var riskVariant: Double
        /// Central credible interval of the relative lift at the experiment's α.
        public var credibleLower: Double
        public var credibleUpper: Double
    }

    public enum GuardrailVerdict: String, Sendable, Hashable, Codable {
        case ok
        case violated
        case insufficientData = "insufficient_data"
    }

    public struct GuardrailResult: Sendable, Hashable, Codable {
        public var metric: String
        public var maxRelativeChange: Double
        public var harmfulDirection: String
        public var verdict: GuardrailVerdict
        public var explanation: String
    }

    public struct PowerEstimate: Sendable, Hashable, Codable {
        public var metric: String
        /// The smallest absolute effect detectable at 80 % power with the users so far.
        public var minimumDetectableEffect: Double
        /// The smallest relative lift the report's relative test would detect at 80% power
        /// (`RelativePower`); nil when none is detectable yet.
        public var minimumDetectableRelativeEffect: Double?
        /// More users per arm needed to detect the observed effect; nil when significant.
        public var additionalUsersPerArmNeeded: Int?
    }

    public struct TimelinePoint: Sendable, Hashable, Codable {
        public var dayEpochSeconds: Int64
        /// Cumulative exposed users per variant, in variant order.
        public var cumulativeUsers: [Int]

        public init(dayEpochSeconds: Int64, cumulativeUsers: [Int]) {
            self.dayEpochSeconds = dayEpochSeconds
            self.cumulativeUsers = cumulativeUsers
        }
    }

    public enum Decision: String, Sendable, Hashable, Codable {
        case ship
        case doNotShip = "do_not_ship"
        case keepRunning = "keep_running"
        case stoppedByGuardrail = "stopped_by_guardrail"
        case withheldSampleRatioMismatch = "withheld_sample_ratio_mismatch"
        /// A person shipped a variant; the analysis runs up to that decision.
        case shipped
    }

    /// Where the running service has the experiment: its ramp, the changes made and the next look.
    public struct Lifecycle: Sendable, Hashable, Codable {
        /// The current ramp step (0-based) and its traffic share.
        public var step: Int
        public var traffic: Double
        /// The declared ramp (empty: the traffic holds).
        public var ramp: [RampStep]
        public var minExposedPerVariant: Int
        public var shippedVariant: String?
        /// Every recorded change, oldest first.
        public var changes: [ExperimentChange]
        /// When the watcher looks next; nil when nothing watches it (not running, or no watcher).
        public var nextCheckAtEpochSeconds: Int64?

        public init(step: Int, traffic: Double, ramp: [RampStep], minExposedPerVariant: Int, shippedVariant: String?, changes: [ExperimentChange],
                    nextCheckAtEpochSeconds: Int64?) {
            self.step = step
            self.traffic = traffic
            self.ramp = ramp
            self.minExposedPerVariant = minExposedPerVariant
            self.shippedVariant = shippedVariant
            self.changes = changes
            self.nextCheckAtEpochSeconds = nextCheckAtEpochSeconds
        }
    }

    public var experimentID: String
    public var title: String?
    public var status: String
    public var analyzedAtEpochSeconds: Int64
    public var alpha: Double
    public var correction: String
    public var sequential: Bool
    public var variants: [VariantRow]
    public var forcedUsersExcluded: Int
    public var sampleRatio: SampleRatio?
    public var metrics: [MetricResult]
    public var guardrails: [GuardrailResult]
    public var power: PowerEstimate?
    public var timeline: [TimelinePoint]
    public var decision: Decision
    public var summary: String
    /// Set when a guardrail stopped the experiment: when and why.
    public var stoppedAtEpochSeconds: Int64?
    public var stopReason: String?
    /// The service's lifecycle of the experiment, when analysed with the service's state.
    public var lifecycle: Lifecycle?
    /// The analysis phase (`ExperimentSpec.phase`): only its exposures count, and each user's
    /// events from their exposure in it on.
    public var phase: Int = 1
    /// The phase's analysed users per combination of versions they were first exposed under.
    public var versions: [VersionRow] = []
    /// One analysis per combination of versions (`quanzi ab analyze --by-version`); empty otherwise.
    public var versionSections: [VersionSection] = []
    /// Nodes that served the experiment's scripts at different versions at once (PostgreSQL).
    public var nodeDisagreements: [NodeDisagreement] = []
    /// Every metric per value of each declared segment (`ExperimentAnalyzer.segments`); empty
    /// when the experiment declares none or the analysis was not asked for them (the watcher).
    public var segments: [SegmentBreakdown] = []
    /// The proper prior of the Bayesian view, when the experiment declares one (flat otherwise).
    public var prior: GaussianPrior? = nil
    /// report.json's format (`ExperimentReport.currentFormatVersion`), written first-class so a
    /// client can tell which keys to expect.
    public var formatVersion: Int = ExperimentReport.currentFormatVersion
}

extension ExperimentReport {
    /// 2: snake_case keys, as the HTTP API's (1 had camelCase keys).
    public static let currentFormatVersion = 2

    /// The one JSON form of a report, for report.json and `GET /v1/experiments/:id/report`: the
    /// HTTP API's snake_case keys (`experiment_id`, `relative_lift`), sorted, indented, so the same
    /// client code reads both.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(self)
    }

    /// Reads `jsonData()`'s form back.
    public static func decode(json: Data) throws -> ExperimentReport {
        let decoder = JSONDecoder()
        // Foundation's snake-to-camel conversion makes `experiment_id` "experimentId"; the
        // properties spell the acronym `ID`.
        decoder.keyDecodingStrategy = .custom { path in
            let key = path.last!.stringValue
            var parts = key.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
            guard parts.count > 1 else { return JSONKey(key) }
            for index in parts.indices.dropFirst() {
                parts[index] = parts[index] == "id" ? "ID" : parts[index].prefix(1).uppercased() + parts[index].dropFirst()
            }
            return JSONKey(parts.joined())
        }
        return try decoder.decode(ExperimentReport.self, from: json)
    }
}

/// A coding key made at run time (the report's key decoding strategy).
struct JSONKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.intValue = intValue
        stringValue = String(intValue)
    }
}

extension ExperimentReport.Comparison {
    enum CodingKeys: String, CodingKey {
        case variant, relativeLift, ciLower, ciUpper, pValue, adjustedPValue, significant, cupedVarianceReduction, unavailable, test, bayesian
    }

    /// An unbounded side of the interval is null: JSON has no infinity.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        variant = try container.decode(String.self, forKey: .variant)
        relativeLift = try container.decode(Double.self, forKey: .relativeLift)
        ciLower = try container.decodeIfPresent(Double.self, forKey: .ciLower) ?? -.infinity
        ciUpper = try container.decodeIfPresent(Double.self, forKey: .ciUpper) ?? .infinity
        pValue = try container.decodeIfPresent(Double.self, forKey: .pValue)
        adjustedPValue = try container.decodeIfPresent(Double.self, forKey: .adjustedPValue)
        significant = try container.decode(Bool.self, forKey: .significant)
        cupedVarianceReduction = try container.decodeIfPresent(Double.self, forKey: .cupedVarianceReduction)
        unavailable = try container.decodeIfPresent(String.self, forKey: .unavailable)
        test = try container.decodeIfPresent(String.self, forKey: .test)
        bayesian = try container.decodeIfPresent(ExperimentReport.BayesianView.self, forKey: .bayesian)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(variant, forKey: .variant)
        try container.encode(relativeLift, forKey: .relativeLift)
        if ciLower.isFinite { try container.encode(ciLower, forKey: .ciLower) } else { try container.encodeNil(forKey: .ciLower) }
        if ciUpper.isFinite { try container.encode(ciUpper, forKey: .ciUpper) } else { try container.encodeNil(forKey: .ciUpper) }
        try container.encodeIfPresent(pValue, forKey: .pValue)
        try container.encodeIfPresent(adjustedPValue, forKey: .adjustedPValue)
        try container.encode(significant, forKey: .significant)
        try container.encodeIfPresent(cupedVarianceReduction, forKey: .cupedVarianceReduction)
        try container.encodeIfPresent(unavailable, forKey: .unavailable)
        try container.encodeIfPresent(test, forKey: .test)
        try container.encodeIfPresent(bayesian, forKey: .bayesian)
    }
}
