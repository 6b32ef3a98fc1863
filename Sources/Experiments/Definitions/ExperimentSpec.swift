/// A parameter value a variant sets (read by plugins through `quanzi.ab.param`).
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)

    public var description: String {
        switch self {
        case .boolean(let flag): String(flag)
        case .integer(let number): String(number)
        case .number(let number): String(number)
        case .string(let text): "\"\(text)\""
        }
    }
}

/// Where an experiment is in its life.
public enum ExperimentStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Declared but nobody is assigned yet.
    case draft
    /// Assigning users and logging exposures.
    case running
    /// Everyone gets control; analysis stays available.
    case stopped
    /// A variant won: every targeted user gets its params, and nothing is exposed any more.
    case shipped
}

/// A guardrail: the experiment stops when the metric is significantly worse than allowed.
public struct Guardrail: Sendable, Hashable {
    public enum Direction: String, Sendable, Hashable {
        /// Worse means higher (reports, refunds).
        case increase
        /// Worse means lower (comments, tips).
        case decrease
    }

    public var metric: String
    /// The largest tolerated relative change in the harmful direction, e.g. 0.10 = 10 %.
    public var maxRelativeChange: Double
    public var harmfulDirection: Direction

    public init(metric: String, maxRelativeChange: Double, harmfulDirection: Direction = .increase) {
        self.metric = metric
        self.maxRelativeChange = maxRelativeChange
        self.harmfulDirection = harmfulDirection
    }
}

/// How p-values of several metrics are corrected.
public enum CorrectionMethod: String, Sendable, Hashable, CaseIterable {
    case holm
    case benjaminiHochberg = "benjamini_hochberg"
}

/// An experiment as its Lua file declared it, after validation.
public struct ExperimentSpec: Sendable, Hashable {
    public struct Variant: Sendable, Hashable {
        public var name: String
        public var weight: Double
        public var parameters: [String: ParameterValue]

        public init(name: String, weight: Double, parameters: [String: ParameterValue] = [:]) {
            self.name = name
            self.weight = weight
            self.parameters = parameters
        }
    }

    public var id: String
    public var title: String?
    /// Hash seed; defaults to the id.
    public var seed: String
    public var layer: ExperimentDefinition.LayerSlice?
    /// Share of eligible users in the experiment, in [0, 1]. With a ramp, the first step's share
    /// (the share served before the service has moved the experiment on).
    public var traffic: Double
    /// Traffic steps the service moves through, one at a time, each after its hold has passed and
    /// every guardrail is clear with enough data; empty when `traffic` holds from start to end.
    public var ramp: [RampStep]
    /// Exposed users every variant needs before a guardrail's "clear" counts for a ramp step.
    public var minExposedPerVariant: Int
    /// The first variant is the control.
    public var variants: [Variant]
    public var status: ExperimentStatus
    public var startAtEpochSeconds: Int64?
    public var primaryMetric: String
    public var secondaryMetrics: [String]
    public var guardrails: [Guardrail]
    /// Always-valid intervals, so the report may be read at any time.
    public var sequential: Bool
    public var alpha: Double
    public var correction: CorrectionMethod
    /// Whether a Lua `targeting(user)` function narrows who may enter.
    public var hasTargeting: Bool
    /// Days before the start whose events serve as the CUPED covariate (0: no CUPED).
    public var preperiodDays: Int
    /// The analysis phase, from 1. A reload may change who gets which variant (weights, seed,
    /// layer, bucket ranges) only together with a new phase, which starts a fresh analysis window
    /// (exposures and metrics from the earlier phases are left out), as GrowthBook's phases do.
    public var phase: Int
    /// The segments the report breaks every metric down by, in declared order (their Lua
    /// functions live in the experiment engine's states).
    public var segments: [Segment] = []
    /// The Bayesian view's prior on the relative lift: GrowthBook's flat default, or a proper
    /// normal one the file declares (`prior = { mean = 0, stddev = 0.3 }`).
    public var prior: GaussianPrior = .flat
    public var file: String
    public var line: Int

    /// A declared segment: `segments = { city = function(user) return user.city end }`.
    public struct Segment: Sendable, Hashable {
        public var name: String
        /// The function's first line in the experiment file.
        public var line: Int

        public init(name: String, line: Int) {
            self.name = name
            self.line = line
        }
    }

    /// Values a segment keeps apart in a report; the users of the rest are grouped as "other".
    public static let segmentValuesMax = 10
    /// Segments one experiment may declare.
    public static let segmentsMax = 8

    public init(
        id: String, title: String? = nil, seed: String? = nil, layer: ExperimentDefinition.LayerSlice? = nil, traffic: Double,
        variants: [Variant], status: ExperimentStatus = .running, startAtEpochSeconds: Int64? = nil, primaryMetric: String,
        secondaryMetrics: [String] = [], guardrails: [Guardrail] = [], sequential: Bool = false, alpha: Double = 0.05,
        correction: CorrectionMethod = .holm, hasTargeting: Bool = false, preperiodDays: Int = 0, ramp: [RampStep] = [],
        minExposedPerVariant: Int = ExperimentSpec.minExposedPerVariantDefault, phase: Int = 1, file: String = "", line: Int = 0
    ) {
        self.id = id
        self.title = title
        self.seed = seed ?? id
        self.layer = layer
        self.traffic = traffic
        self.variants = variants
        self.status = status
        self.startAtEpochSeconds = startAtEpochSeconds
        self.primaryMetric = primaryMetric
        self.secondaryMetrics = secondaryMetrics
        self.guardrails = guardrails
        self.sequential = sequential
        self.alpha = alpha
        self.correction = correction
        self.hasTargeting = hasTargeting
        self.preperiodDays = preperiodDays
        self.ramp = ramp
        self.minExposedPerVariant = minExposedPerVariant
        self.phase = phase
        self.file = file
        self.line = line
    }

    /// A default that lets a 1 % step of a few thousand targeted users move on within a day or
    /// two, while a guardrail's interval is no longer dominated by a handful of users.
    public static let minExposedPerVariantDefault = 100

    /// What pure assignment needs, at the declared (first step's) traffic.
    public var assignmentDefinition: ExperimentDefinition {
        assignmentDefinition(traffic: traffic)
    }

    /// What pure assignment needs at `traffic` (a ramp step's share).
    public func assignmentDefinition(traffic: Double) -> ExperimentDefinition {
        ExperimentDefinition(id: id, seed: seed, layer: layer, coverage: traffic,
                             variants: variants.map { ExperimentDefinition.Variant(key: $0.name, weight: $0.weight) })
    }

    /// The traffic share served at ramp step `step` (the declared traffic without a ramp; the
    /// last step's beyond the end).
    public func traffic(atStep step: Int) -> Double {
        guard !ramp.isEmpty else { return traffic }
        return ramp[min(max(0, step), ramp.count - 1)].traffic
    }

    /// The variant named `name`, if any.
    public func variant(named name: String) -> Variant? {
        variants.first { $0.name == name }
    }

    public var control: Variant { variants[0] }

    /// Every metric the report shows, primary first, without repeats.
    public var allMetrics: [String] {
        var seen = Set<String>()
        return ([primaryMetric] + secondaryMetrics + guardrails.map(\.metric)).filter { seen.insert($0).inserted }
    }
}
