/// The outcome of assigning one user to one experiment.
public enum Assignment: Sendable, Hashable {
    /// Why a user is not in an experiment, in the order the checks are made.
    public enum ExclusionReason: Sendable, Hashable {
        /// The user id is empty, so there is nothing to hash.
        case emptyUserId
        /// The experiment has fewer than two variants.
        case tooFewVariants
        /// The user's layer hash falls outside this experiment's slice of the layer.
        case notInLayerSlice
        /// The user's bucket falls outside the covered part of every variant's range.
        case outsideTraffic
    }

    /// The user is in the experiment, in variant `variantIndex`, with the hash `bucket` in [0, 1) that decided it.
    case inExperiment(variantIndex: Int, bucket: Double)
    /// The user is not in the experiment.
    case notInExperiment(reason: ExclusionReason)

    /// The variant index, or nil when not in the experiment.
    public var variantIndex: Int? {
        if case .inExperiment(let variantIndex, _) = self { return variantIndex }
        return nil
    }
}

/// Deterministic, stateless assignment of users to experiments, the way GrowthBook assigns.
///
/// The layer check uses GrowthBook's namespace hash (version 1, seed "__" + layer name); the bucket
/// uses the version-2 hash of (seed, user id) like GrowthBook's experiments, against ranges built
/// from coverage and weights. Because each range starts at its full cumulative weight and only its
/// length scales with coverage, raising coverage never moves an assigned user to another variant.
public enum Assigner {
    /// Hash version for the bucket: GrowthBook made version 2 to remove version 1's bias between experiments run in parallel.
    public static let bucketHashVersion = 2

    /// Assigns `userId` to a variant of `experiment`, or says why the user is not in it.
    public static func assign(userId: String, to experiment: ExperimentDefinition) -> Assignment {
        if userId.isEmpty {
            return .notInExperiment(reason: .emptyUserId)
        }
        if experiment.variants.count < 2 {
            return .notInExperiment(reason: .tooFewVariants)
        }
        if let layer = experiment.layer {
            let namespace = GrowthBook.Namespace(id: layer.name, range: layer.range)
            if !GrowthBook.inNamespace(userId: userId, namespace: namespace) {
                return .notInExperiment(reason: .notInLayerSlice)
            }
        }
        guard let bucket = GrowthBook.hash(seed: experiment.seed, value: userId, version: bucketHashVersion) else {
            preconditionFailure("hash version \(bucketHashVersion) is always supported")
        }
        let ranges = GrowthBook.getBucketRanges(
            numVariations: experiment.variants.count,
            coverage: experiment.coverage,
            weights: experiment.variants.map(\.weight)
        )
        guard let variantIndex = GrowthBook.chooseVariation(bucket, ranges: ranges) else {
            return .notInExperiment(reason: .outsideTraffic)
        }
        return .inExperiment(variantIndex: variantIndex, bucket: bucket)
    }
}
