import Foundation
import PropertyBased
import Testing
@testable import Experiments

/// Users in the simulations below; enough for chi-square tests to have power, few enough to run in well under a second.
private let userCount = 100_000

private func equalVariants(_ count: Int) -> [ExperimentDefinition.Variant] {
    (0..<count).map { .init(key: "v\($0)", weight: 1 / Double(count)) }
}

/// χ² p-value of a contingency table's independence test, with the tested ChiSquare distribution.
private func independencePValue(_ table: [[Int]]) -> Double {
    let total = Double(table.joined().reduce(0, +))
    let rowTotals = table.map { Double($0.reduce(0, +)) }
    let columnTotals = table[0].indices.map { column in Double(table.map { $0[column] }.reduce(0, +)) }
    var statistic = 0.0
    for (row, counts) in table.enumerated() {
        for (column, observed) in counts.enumerated() {
            let expected = rowTotals[row] * columnTotals[column] / total
            statistic += (Double(observed) - expected) * (Double(observed) - expected) / expected
        }
    }
    let dof = Double((table.count - 1) * (table[0].count - 1))
    return ChiSquare(degreesOfFreedom: dof).survival(statistic)
}

@Suite("Assigner")
struct AssignerTests {
    @Test("the bucket is GrowthBook's version-2 hash of (seed, user id)")
    func growthBookCompatible() {
        let experiment = ExperimentDefinition(id: "seed", variants: equalVariants(2))
        #expect(Assigner.assign(userId: "a", to: experiment) == .inExperiment(variantIndex: 0, bucket: 0.0505))
        #expect(Assigner.assign(userId: "b", to: experiment) == .inExperiment(variantIndex: 0, bucket: 0.2696))
        let seeded = ExperimentDefinition(id: "other", seed: "foo", variants: equalVariants(4))
        #expect(Assigner.assign(userId: "def", to: seeded) == .inExperiment(variantIndex: 0, bucket: 0.2019))
    }

    @Test("the seed defaults to the experiment id")
    func seedDefaultsToId() {
        #expect(ExperimentDefinition(id: "tips-button", variants: []).seed == "tips-button")
        #expect(ExperimentDefinition(id: "tips-button", seed: "s2", variants: []).seed == "s2")
    }

    @Test("assignment is a pure function of seed and user id")
    func deterministic() {
        let experiment = ExperimentDefinition(id: "feed-ranking", coverage: 0.7, variants: equalVariants(3))
        let copy = ExperimentDefinition(id: "renamed", seed: "feed-ranking", coverage: 0.7, variants: equalVariants(3))
        for index in 0..<1000 {
            let first = Assigner.assign(userId: "u\(index)", to: experiment)
            #expect(first == Assigner.assign(userId: "u\(index)", to: experiment))
            #expect(first == Assigner.assign(userId: "u\(index)", to: copy))
        }
    }

    @Test("exclusion reasons come in check order")
    func exclusionReasons() {
        let layer = ExperimentDefinition.LayerSlice(name: "feed", range: BucketRange(start: 0, end: 0))
        let noVariants = ExperimentDefinition(id: "x", layer: layer, variants: [])
        #expect(Assigner.assign(userId: "", to: noVariants) == .notInExperiment(reason: .emptyUserId))
        #expect(Assigner.assign(userId: "u1", to: noVariants) == .notInExperiment(reason: .tooFewVariants))
        let emptySlice = ExperimentDefinition(id: "x", layer: layer, variants: equalVariants(2))
        #expect(Assigner.assign(userId: "u1", to: emptySlice) == .notInExperiment(reason: .notInLayerSlice))
        let noTraffic = ExperimentDefinition(id: "x", coverage: 0, variants: equalVariants(2))
        #expect(Assigner.assign(userId: "u1", to: noTraffic) == .notInExperiment(reason: .outsideTraffic))
        #expect(Assigner.assign(userId: "u1", to: noTraffic).variantIndex == nil)
    }

    @Test("raising coverage keeps every assigned user in the same variant")
    func rampKeepsAssignments() async {
        let ids = Gen.letterOrNumber.string(of: 1...24).array(of: 50)
        let coverage = Gen.double(in: 0...1)
        await propertyCheck(count: 200, input: Gen.letterOrNumber.string(of: 0...12), ids, coverage, coverage) {
            seed, userIds, first, second in
            let variants: [ExperimentDefinition.Variant] = [
                .init(key: "control", weight: 0.2), .init(key: "a", weight: 0.3), .init(key: "b", weight: 0.5),
            ]
            let before = ExperimentDefinition(id: "ramp", seed: seed, coverage: min(first, second), variants: variants)
            var after = before
            after.coverage = max(first, second)
            for userId in userIds {
                if let variant = Assigner.assign(userId: userId, to: before).variantIndex {
                    #expect(Assigner.assign(userId: userId, to: after).variantIndex == variant)
                }
            }
        }
    }

    @Test("coverage admits about that share of users")
    func coverageShare() {
        let experiment = ExperimentDefinition(id: "share", coverage: 0.3, variants: equalVariants(2))
        let inCount = (0..<20_000).filter { Assigner.assign(userId: "user-\($0)", to: experiment).variantIndex != nil }.count
        // Binomial(20000, 0.3) has SD ≈ 65; allow 5 SD.
        #expect(abs(inCount - 6000) < 325)
    }

    @Test("100k ids spread uniformly over 10 variants (chi-square not rejected at p < 0.001)")
    func uniformity() throws {
        let experiment = ExperimentDefinition(id: "uniformity", variants: equalVariants(10))
        var counts = [Int](repeating: 0, count: 10)
        for index in 0..<userCount {
            let variant = try #require(Assigner.assign(userId: "user-\(index)", to: experiment).variantIndex)
            counts[variant] += 1
        }
        let expected = Double(userCount) / 10
        let statistic = counts.reduce(0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        let pValue = ChiSquare(degreesOfFreedom: 9).survival(statistic)
        #expect(pValue >= 0.001, "counts \(counts), χ² \(statistic)")
    }

    @Test("uneven weights are honoured (sample-ratio check passes)")
    func weightsHonoured() throws {
        let variants: [ExperimentDefinition.Variant] = [.init(key: "control", weight: 0.1), .init(key: "treatment", weight: 0.9)]
        let experiment = ExperimentDefinition(id: "weights", variants: variants)
        var counts = [0, 0]
        for index in 0..<20_000 {
            counts[try #require(Assigner.assign(userId: "user-\(index)", to: experiment).variantIndex)] += 1
        }
        #expect(try !SampleRatioCheck(observedCounts: counts, weights: [0.1, 0.9]).isMismatch)
    }

    @Test("experiments in one layer with disjoint slices never share a user")
    func layerExclusivity() {
        func experiment(_ id: String, _ start: Double, _ end: Double) -> ExperimentDefinition {
            let slice = ExperimentDefinition.LayerSlice(name: "checkout", range: BucketRange(start: start, end: end))
            return ExperimentDefinition(id: id, layer: slice, variants: equalVariants(2))
        }
        let layer = [experiment("a", 0, 0.3), experiment("b", 0.3, 0.7), experiment("c", 0.7, 1)]
        var perExperiment = [0, 0, 0]
        for index in 0..<30_000 {
            let memberships = layer.map { Assigner.assign(userId: "user-\(index)", to: $0).variantIndex != nil }
            #expect(memberships.filter { $0 }.count == 1, "user-\(index) is in \(memberships)")
            for (slot, member) in memberships.enumerated() where member { perExperiment[slot] += 1 }
        }
        let check = try? SampleRatioCheck(observedCounts: perExperiment, weights: [0.3, 0.4, 0.3])
        #expect(check?.isMismatch == false, "\(perExperiment)")
    }

    @Test("different layers are independent")
    func layerIndependence() {
        let first = ExperimentDefinition(
            id: "a", layer: .init(name: "feed", range: BucketRange(start: 0, end: 0.5)), variants: equalVariants(2))
        let second = ExperimentDefinition(
            id: "b", layer: .init(name: "wallet", range: BucketRange(start: 0.25, end: 0.75)), variants: equalVariants(2))
        var membership = [[0, 0], [0, 0]]
        var variants = [[0, 0], [0, 0]]
        for index in 0..<40_000 {
            let a = Assigner.assign(userId: "user-\(index)", to: first).variantIndex
            let b = Assigner.assign(userId: "user-\(index)", to: second).variantIndex
            membership[a == nil ? 0 : 1][b == nil ? 0 : 1] += 1
            if let a, let b { variants[a][b] += 1 }
        }
        #expect(independencePValue(membership) >= 0.001, "\(membership)")
        #expect(independencePValue(variants) >= 0.001, "\(variants)")
    }

    @Test("a definition reports its problems in check order")
    func definitionProblems() {
        let good = ExperimentDefinition(id: "ok", variants: equalVariants(2))
        #expect(good.problems.isEmpty)
        let bad = ExperimentDefinition(
            id: "",
            layer: .init(name: "l", range: BucketRange(start: 0.5, end: 0.5)),
            coverage: 1.2,
            variants: [.init(key: "only", weight: -0.5)]
        )
        #expect(bad.problems == [
            .emptyId, .tooFewVariants, .invalidWeight(variantIndex: 0), .weightsDoNotSumToOne(total: -0.5),
            .coverageOutOfRange(1.2), .invalidLayerSlice,
        ])
    }
}
