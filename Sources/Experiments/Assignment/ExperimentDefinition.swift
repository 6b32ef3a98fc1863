/// What assignment needs to know about one experiment; a plain value, so assignment stays a pure function.
public struct ExperimentDefinition: Sendable, Hashable {
    /// One arm of the experiment.
    public struct Variant: Sendable, Hashable {
        /// The variant's key, e.g. "control".
        public var key: String
        /// Share of covered traffic; the weights of all variants should sum to one.
        public var weight: Double

        /// Creates a variant.
        public init(key: String, weight: Double) {
            self.key = key
            self.weight = weight
        }
    }

    /// The experiment's slice of a layer: experiments whose slices of one layer do not overlap are mutually exclusive.
    public struct LayerSlice: Sendable, Hashable {
        /// The layer name; different layers hash with different seeds and so are independent.
        public var name: String
        /// The half-open slice [start, end) of the layer's hash space, within [0, 1].
        public var range: BucketRange

        /// Creates a layer slice.
        public init(name: String, range: BucketRange) {
            self.name = name
            self.range = range
        }
    }

    /// A reason a definition cannot run as intended, in the order the checks are made.
    public enum Problem: Sendable, Hashable {
        /// The id is empty.
        case emptyId
        /// Fewer than two variants.
        case tooFewVariants
        /// A weight is negative or not finite.
        case invalidWeight(variantIndex: Int)
        /// The weights do not sum to one within GrowthBook's tolerance (it would fall back to equal weights).
        case weightsDoNotSumToOne(total: Double)
        /// Coverage is outside [0, 1] (it would be clamped).
        case coverageOutOfRange(Double)
        /// The layer slice is empty or not within [0, 1].
        case invalidLayerSlice
    }

    /// Experiment id, unique within the app.
    public var id: String
    /// Hash seed for the bucket; defaults to the id. Changing it reshuffles every user.
    public var seed: String
    /// The layer slice, or nil when the experiment is in no layer.
    public var layer: LayerSlice?
    /// Share of (layer-eligible) users who enter the experiment, in [0, 1].
    public var coverage: Double
    /// The variants in bucket order; reordering them reassigns users.
    public var variants: [Variant]

    /// Creates a definition; `seed` defaults to `id`.
    public init(
        id: String,
        seed: String? = nil,
        layer: LayerSlice? = nil,
        coverage: Double = 1,
        variants: [Variant]
    ) {
        self.id = id
        self.seed = seed ?? id
        self.layer = layer
        self.coverage = coverage
        self.variants = variants
    }

    /// Everything wrong with the definition, for a host to report when a plugin declares it; empty when valid.
    public var problems: [Problem] {
        var found: [Problem] = []
        if id.isEmpty {
            found.append(.emptyId)
        }
        if variants.count < 2 {
            found.append(.tooFewVariants)
        }
        for (index, variant) in variants.enumerated() where !(variant.weight.isFinite && variant.weight >= 0) {
            found.append(.invalidWeight(variantIndex: index))
        }
        let total = variants.reduce(0) { $0 + $1.weight }
        if !variants.isEmpty && !GrowthBook.weightTotalBounds.contains(total) {
            found.append(.weightsDoNotSumToOne(total: total))
        }
        if !(0...1).contains(coverage) {
            found.append(.coverageOutOfRange(coverage))
        }
        if let layer, !(0 <= layer.range.start && layer.range.start < layer.range.end && layer.range.end <= 1) {
            found.append(.invalidLayerSlice)
        }
        return found
    }
}
