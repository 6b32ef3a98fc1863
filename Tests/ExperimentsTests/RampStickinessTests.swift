import PropertyBased
import Testing

@testable import Experiments

/// A strictly increasing ramp from arbitrary shares in (0, 1]: sorted, without repeats.
func rampSteps(_ shares: [Double]) -> [RampStep] {
    let increasing = Array(Set(shares.map { max($0, 0.000_1) })).sorted()
    return increasing.enumerated().map { index, traffic in
        RampStep(traffic: traffic, holdSeconds: index == increasing.count - 1 ? nil : 3_600)
    }
}

@Suite("ramps keep users in their variant")
struct RampStickinessTests {
    @Test("a user assigned at a lower step keeps that variant at every higher step, and nobody leaves")
    func stickyAcrossSteps() async {
        let shares = Gen.double(in: 0.0...1.0).array(of: 1...6)
        let userIDs = Gen.int64(in: 1...Int64.max).array(of: 60)
        let weight = Gen.double(in: 0.05...0.95)
        await propertyCheck(count: 200, input: Gen.letterOrNumber.string(of: 1...16), shares, userIDs, weight) { id, shares, users, weight in
            let ramp = rampSteps(shares)
            let spec = ExperimentSpec(
                id: "ramp-\(id.lowercased())", traffic: ramp[0].traffic,
                variants: [.init(name: "control", weight: weight), .init(name: "treatment", weight: 1 - weight)],
                primaryMetric: "posts_per_user", ramp: ramp)
            for user in users {
                var first: (step: Int, variant: Int)?
                for step in ramp.indices {
                    let definition = spec.assignmentDefinition(traffic: spec.traffic(atStep: step))
                    let variant = Assigner.assign(userId: String(user), to: definition).variantIndex
                    if let first {
                        #expect(variant == first.variant, "user \(user) had variant \(first.variant) at step \(first.step + 1), \(variant.map(String.init) ?? "none") at step \(step + 1) of \(ramp.map(\.traffic))")
                    } else if let variant {
                        first = (step, variant)
                    }
                }
            }
        }
    }

    @Test("beyond the ramp's last step the last share holds; without a ramp the declared traffic does")
    func trafficAtStep() {
        let ramp = [RampStep(traffic: 0.01, holdSeconds: 7_200), RampStep(traffic: 0.05, holdSeconds: 21_600), RampStep(traffic: 0.5)]
        let spec = ExperimentSpec(id: "r", traffic: 0.01, variants: [.init(name: "a", weight: 0.5), .init(name: "b", weight: 0.5)],
                                  primaryMetric: "m", ramp: ramp)
        #expect((-1...4).map { spec.traffic(atStep: $0) } == [0.01, 0.01, 0.05, 0.5, 0.5, 0.5])
        var fixed = spec
        fixed.ramp = []
        fixed.traffic = 0.2
        #expect(fixed.traffic(atStep: 3) == 0.2)
    }
}
