/// What an edit to an experiment's file does to who gets which variant. Changing the traffic
/// share or the ramp only lets users in or out (the hash is the same); changing the seed, the
/// layer, or the variants' names, order or weights (and so their bucket ranges) reassigns users
/// already in: at full traffic some move from one variant to another, at partial traffic some
/// leave the experiment and others take their place in a variant. Either way two assignments mix
/// in one analysis, so such an edit to a live experiment needs a new `phase` (GrowthBook's
/// phases: a fresh window).
public enum AssignmentEdit {
    /// Each way `new` assigns users differently from `old`, in words (empty: nobody moves).
    public static func movesUsers(from old: ExperimentSpec, to new: ExperimentSpec) -> [String] {
        var reasons: [String] = []
        if old.seed != new.seed { reasons.append("seed '\(old.seed)' → '\(new.seed)'") }
        if old.layer != new.layer { reasons.append("layer \(describe(old.layer)) → \(describe(new.layer))") }
        let oldNames = old.variants.map(\.name)
        let newNames = new.variants.map(\.name)
        if oldNames != newNames {
            reasons.append("variants \(oldNames.joined(separator: "/")) → \(newNames.joined(separator: "/"))")
        } else if old.variants.map(\.weight) != new.variants.map(\.weight) {
            reasons.append("weights \(weights(old)) → \(weights(new))")
        }
        return reasons
    }

    /// Why a reload must refuse the edit from `old` to `new` of an experiment that is live
    /// (running or shipped), or nil when it may go ahead.
    public static func refusal(from old: ExperimentSpec, to new: ExperimentSpec) -> String? {
        if new.phase < old.phase {
            return "experiment '\(new.id)' is live in phase \(old.phase): its phase may not go back to \(new.phase)"
        }
        guard new.phase == old.phase else { return nil }
        let moves = movesUsers(from: old, to: new)
        guard !moves.isEmpty else { return nil }
        return "experiment '\(new.id)' is live: this edit moves users between variants (\(moves.joined(separator: "; "))); "
            + "declare phase = \(old.phase + 1) to start a fresh analysis window, or revert it"
    }

    private static func describe(_ layer: ExperimentDefinition.LayerSlice?) -> String {
        guard let layer else { return "none" }
        return "'\(layer.name)' [\(number(layer.range.start)), \(number(layer.range.end)))"
    }

    private static func weights(_ spec: ExperimentSpec) -> String {
        spec.variants.map { number($0.weight) }.joined(separator: "/")
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
