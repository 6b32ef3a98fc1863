/// A metric computed from the events table, declared in `experiments/metrics.lua`.
public struct MetricDefinition: Sendable, Hashable {
    /// What one user contributes: a count or a sum of an event field.
    public struct EventMeasure: Sendable, Hashable {
        /// The event kind, e.g. "comment.created".
        public var event: String
        /// A numeric event column to sum (e.g. "amount_fen"); nil counts events.
        public var valueField: String?

        public init(event: String, valueField: String? = nil) {
            self.event = event
            self.valueField = valueField
        }
    }

    public enum Kind: Sendable, Hashable {
        /// Mean per exposed user, zero-filled.
        case mean(EventMeasure)
        /// Share of exposed users with at least one event.
        case proportion(EventMeasure)
        /// Sum of numerator over sum of denominator per arm (delta method).
        case ratio(numerator: EventMeasure, denominator: EventMeasure)
        /// A quantile of the per-user totals or of the single events' values (p90 of tip
        /// amounts), compared as GrowthBook's quantile metrics are.
        case quantile(EventMeasure, Quantile)
    }

    /// What a quantile metric asks for.
    public struct Quantile: Sendable, Hashable {
        /// The level, in (0, 1): 0.9 is the 90th percentile.
        public var level: Double
        /// Of each event's value (clustered by user: one user's events are not independent), or
        /// of each user's total.
        public var perEvent: Bool
        /// Leaves zero values out: users whose total is zero (per user), events whose value is
        /// zero (per event), as GrowthBook's "ignore zeros".
        public var ignoreZeros: Bool

        public init(level: Double, perEvent: Bool, ignoreZeros: Bool = false) {
            self.level = level
            self.perEvent = perEvent
            self.ignoreZeros = ignoreZeros
        }
    }

    /// Whose metric an event is: the user who acted, or the user acted upon (the post's author,
    /// the tip's recipient: "reports received per view of my posts").
    public enum Attribution: String, Sendable, Hashable, CaseIterable {
        case actor
        case target
    }

    /// Winsorising: each user's value is lowered to the cap before the arms are summed, so a
    /// few heavy users (one whale's tips) cannot swamp a mean. The cap is the same for every arm.
    public enum Cap: Sendable, Hashable {
        /// The `level` quantile of the analysed users' values, pooled over every variant
        /// (linear interpolation between order statistics, as SQL's PERCENTILE_CONT); with
        /// `ignoreZeros`, of the non-zero values only (most users tip nothing, so the quantile of
        /// all users would be zero).
        case percentile(level: Double, ignoreZeros: Bool)
        /// A fixed cap in the metric's unit (fen for a sum of `amount_fen`, events for a count).
        case value(Double)
    }

    public var id: String
    public var kind: Kind
    /// Winsorising of the per-user value (of a ratio: its numerator); nil: values as they are.
    public var cap: Cap?
    public var attribution: Attribution
    /// True when a larger value is good (comments); false for harms (reports).
    public var higherIsBetter: Bool
    public var description: String?

    public init(id: String, kind: Kind, attribution: Attribution = .actor, higherIsBetter: Bool = true, description: String? = nil,
                cap: Cap? = nil) {
        self.id = id
        self.cap = cap
        self.kind = kind
        self.attribution = attribution
        self.higherIsBetter = higherIsBetter
        self.description = description
    }

    /// The event kinds this metric reads.
    public var events: [String] {
        switch kind {
        case .mean(let measure), .proportion(let measure), .quantile(let measure, _): [measure.event]
        case .ratio(let numerator, let denominator): [numerator.event, denominator.event]
        }
    }

    /// The columns an event may be summed by.
    public static let valueFields = ["amount_fen"]
}
