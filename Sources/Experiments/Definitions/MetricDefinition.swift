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
    }

    /// Whose metric an event is: the user who acted, or the user acted upon (the post's author,
    /// the tip's recipient: "reports received per view of my posts").
    public enum Attribution: String, Sendable, Hashable, CaseIterable {
        case actor
        case target
    }

    public var id: String
    public var kind: Kind
    public var attribution: Attribution
    /// True when a larger value is good (comments); false for harms (reports).
    public var higherIsBetter: Bool
    public var description: String?

    public init(id: String, kind: Kind, attribution: Attribution = .actor, higherIsBetter: Bool = true, description: String? = nil) {
        self.id = id
        self.kind = kind
        self.attribution = attribution
        self.higherIsBetter = higherIsBetter
        self.description = description
    }

    /// The event kinds this metric reads.
    public var events: [String] {
        switch kind {
        case .mean(let measure), .proportion(let measure): [measure.event]
        case .ratio(let numerator, let denominator): [numerator.event, denominator.event]
        }
    }

    /// The columns an event may be summed by.
    public static let valueFields = ["amount_fen"]
}
