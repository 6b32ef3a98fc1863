import PropertyBased
import Testing

@testable import Experiments

/// A running two-variant experiment at 10% traffic, phase 1, to edit.
private func spec(
    seed: String? = nil, layer: ExperimentDefinition.LayerSlice? = nil, traffic: Double = 0.1, ramp: [RampStep] = [],
    variants: [ExperimentSpec.Variant] = [.init(name: "control", weight: 0.5, parameters: ["min_credit": .integer(750)]),
                                          .init(name: "treatment", weight: 0.5, parameters: ["min_credit": .integer(700)])],
    phase: Int = 1
) -> ExperimentSpec {
    ExperimentSpec(id: "campus-comment-credit", seed: seed, layer: layer, traffic: traffic, variants: variants,
                   primaryMetric: "comments_per_user", ramp: ramp, phase: phase)
}

/// Users assigned by `old` who lose that variant under `new` (to another variant, or out).
private func usersLosingTheirVariant(from old: ExperimentSpec, to new: ExperimentSpec, users: ClosedRange<Int> = 1...20_000) -> Int {
    users.filter { user in
        guard let before = Assigner.assign(userId: String(user), to: old.assignmentDefinition).variantIndex else { return false }
        return Assigner.assign(userId: String(user), to: new.assignmentDefinition).variantIndex != before
    }.count
}

/// Users assigned to a variant by both definitions whose variant differs.
private func movedUsers(from old: ExperimentSpec, to new: ExperimentSpec, users: ClosedRange<Int> = 1...20_000) -> Int {
    users.filter { user in
        let before = Assigner.assign(userId: String(user), to: old.assignmentDefinition).variantIndex
        let after = Assigner.assign(userId: String(user), to: new.assignmentDefinition).variantIndex
        return before != nil && after != nil && before != after
    }.count
}

@Suite("assignment edits: what moves users between variants")
struct AssignmentEditTests {
    @Test("traffic, a ramp and params let users in or out but move nobody between variants")
    func trafficRampAndParamsMoveNobody() {
        let old = spec()
        let moreTraffic = spec(traffic: 0.3)
        let ramped = spec(traffic: 0.01, ramp: [RampStep(traffic: 0.01, holdSeconds: 3_600), RampStep(traffic: 0.5)])
        var newParams = spec()
        newParams.variants[1].parameters["min_credit"] = .integer(650)
        for new in [moreTraffic, ramped, newParams] {
            #expect(AssignmentEdit.movesUsers(from: old, to: new).isEmpty)
            #expect(AssignmentEdit.refusal(from: old, to: new) == nil)
        }
        // More traffic only lets users in: nobody already in loses their variant.
        #expect(usersLosingTheirVariant(from: old, to: moreTraffic) == 0)
        #expect(movedUsers(from: old, to: ramped) == 0)
    }

    @Test("seed, layer, variant names, order and weights each move users, and say how")
    func eachAssignmentChangeIsNamed() {
        let old = spec()
        #expect(AssignmentEdit.movesUsers(from: old, to: spec(seed: "reshuffled")) == ["seed 'campus-comment-credit' → 'reshuffled'"])
        let layered = spec(layer: .init(name: "campus-rules", range: BucketRange(start: 0, end: 0.5)))
        #expect(AssignmentEdit.movesUsers(from: old, to: layered) == ["layer none → 'campus-rules' [0, 0.5)"])
        let weights = spec(variants: [.init(name: "control", weight: 0.3), .init(name: "treatment", weight: 0.7)])
        #expect(AssignmentEdit.movesUsers(from: old, to: weights) == ["weights 0.5/0.5 → 0.3/0.7"])
        let reordered = spec(variants: [.init(name: "treatment", weight: 0.5), .init(name: "control", weight: 0.5)])
        #expect(AssignmentEdit.movesUsers(from: old, to: reordered) == ["variants control/treatment → treatment/control"])
        let renamed = spec(variants: [.init(name: "control", weight: 0.5), .init(name: "lower-bar", weight: 0.5)])
        #expect(AssignmentEdit.movesUsers(from: old, to: renamed) == ["variants control/treatment → control/lower-bar"])
        // What it says is what the assigner does. At full traffic a weights change moves users
        // from control to treatment; at 10% the bucket ranges are short and apart, so it swaps who
        // is in rather than moving anyone across: either way users lose their variant.
        let full = spec(traffic: 1)
        var fullWeights = weights
        fullWeights.traffic = 1
        #expect(movedUsers(from: full, to: fullWeights) > 0)
        #expect(movedUsers(from: old, to: weights) == 0)
        #expect(usersLosingTheirVariant(from: old, to: weights) > 0)
        #expect(movedUsers(from: old, to: spec(seed: "reshuffled")) > 0)
    }

    @Test("a live experiment's move is refused in its phase, allowed with the next, and its phase may not go back")
    func refusalNeedsANewPhase() throws {
        let old = spec()
        let weights = spec(variants: [.init(name: "control", weight: 0.3), .init(name: "treatment", weight: 0.7)])
        let refusal = try #require(AssignmentEdit.refusal(from: old, to: weights))
        #expect(refusal == "experiment 'campus-comment-credit' is live: this edit moves users between variants (weights 0.5/0.5 → 0.3/0.7); "
            + "declare phase = 2 to start a fresh analysis window, or revert it")
        var nextPhase = weights
        nextPhase.phase = 2
        #expect(AssignmentEdit.refusal(from: old, to: nextPhase) == nil)
        #expect(AssignmentEdit.refusal(from: spec(phase: 3), to: spec(phase: 2))
            == "experiment 'campus-comment-credit' is live in phase 3: its phase may not go back to 2")
        #expect(AssignmentEdit.refusal(from: spec(phase: 2), to: spec(phase: 5)) == nil, "skipping phases is allowed")
    }

    @Test("whenever movesUsers says nobody moves, no user in both assignments changes variant")
    func emptyMovesIsTrue() async {
        let shares = Gen.double(in: 0.0001...1.0)
        let weight = Gen.double(in: 0.05...0.95)
        await propertyCheck(count: 100, input: shares, shares, weight, Gen.int(in: 1...1_000)) { before, after, weight, firstUser in
            let variants: [ExperimentSpec.Variant] = [.init(name: "control", weight: weight), .init(name: "treatment", weight: 1 - weight)]
            let old = spec(traffic: before, variants: variants)
            let new = spec(traffic: after, variants: variants)
            #expect(AssignmentEdit.movesUsers(from: old, to: new).isEmpty)
            #expect(movedUsers(from: old, to: new, users: firstUser...(firstUser + 500)) == 0)
        }
    }
}
