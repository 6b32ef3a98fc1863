import Foundation
import Testing
@testable import Experiments

/// Rounds down to 8 decimals, as the upstream test compares ranges and weights.
private func floor8(_ value: Double) -> Double {
    (value * 1e8).rounded(.down) / 1e8
}

private func number(_ value: Any) throws -> Double {
    try #require((value as? NSNumber)?.doubleValue, "expected a number, got \(value)")
}

private func ranges(_ value: Any) throws -> [BucketRange] {
    let pairs = try #require(value as? [[Any]])
    return try pairs.map { BucketRange(start: try number($0[0]), end: try number($0[1])) }
}

private func section(_ name: String) throws -> [[Any]] {
    let root = try #require(JSONSerialization.jsonObject(with: fixtureData("growthbook-assignment-cases")) as? [String: Any])
    return try #require(root[name] as? [[Any]], "missing section \(name)")
}

@Suite("GrowthBook bucket ranges, variations and namespaces")
struct GrowthBookBucketTests {
    @Test("every getBucketRange case in cases.json matches after flooring to 8 decimals")
    func bucketRanges() throws {
        let rows = try section("getBucketRange")
        #expect(rows.count == 13)
        for row in rows {
            let name = try #require(row[0] as? String)
            let arguments = try #require(row[1] as? [Any])
            let numVariations = try #require((arguments[0] as? NSNumber)?.intValue)
            let coverage = try number(arguments[1])
            let weights = try (arguments[2] as? [Any])?.map(number)
            let expected = try ranges(row[2])
            let actual = GrowthBook.getBucketRanges(numVariations: numVariations, coverage: coverage, weights: weights)
            #expect(actual.count == expected.count, "\(name)")
            for (got, want) in zip(actual, expected) {
                #expect(floor8(got.start) == floor8(want.start) && floor8(got.end) == floor8(want.end), "\(name)")
            }
        }
    }

    @Test("missing coverage means full coverage")
    func missingCoverage() {
        let ranges = GrowthBook.getBucketRanges(numVariations: 2)
        #expect(ranges == [BucketRange(start: 0, end: 0.5), BucketRange(start: 0.5, end: 1)])
    }

    @Test("every chooseVariation case in cases.json matches, -1 meaning none")
    func chooseVariation() throws {
        let rows = try section("chooseVariation")
        #expect(rows.count == 13)
        for row in rows {
            let name = try #require(row[0] as? String)
            let n = try number(row[1])
            let expected = try #require((row[3] as? NSNumber)?.intValue)
            let actual = GrowthBook.chooseVariation(n, ranges: try ranges(row[2]))
            #expect((actual ?? -1) == expected, "\(name)")
        }
    }

    @Test("every inNamespace case in cases.json matches")
    func inNamespace() throws {
        let rows = try section("inNamespace")
        #expect(rows.count == 16)
        for row in rows {
            let name = try #require(row[0] as? String)
            let userId = try #require(row[1] as? String)
            let namespace = try #require(row[2] as? [Any])
            let id = try #require(namespace[0] as? String)
            let range = BucketRange(start: try number(namespace[1]), end: try number(namespace[2]))
            let expected = try #require(row[3] as? Bool)
            #expect(GrowthBook.inNamespace(userId: userId, namespace: .init(id: id, range: range)) == expected, "\(name)")
        }
    }

    @Test("every getEqualWeights case in cases.json matches after flooring to 8 decimals")
    func equalWeights() throws {
        let rows = try section("getEqualWeights")
        #expect(rows.count == 6)
        for row in rows {
            let count = try #require((row[0] as? NSNumber)?.intValue)
            let expected = try #require(row[1] as? [Any]).map(number)
            let actual = GrowthBook.getEqualWeights(count)
            #expect(actual.map(floor8) == expected.map(floor8), "getEqualWeights(\(count))")
        }
    }

    @Test("equal weights are exactly 1/n, not rounded")
    func equalWeightsExact() {
        let third: Double = 1.0 / 3
        #expect(GrowthBook.getEqualWeights(3) == [third, third, third])
    }

    @Test("a negative weight gives an empty range instead of trapping")
    func negativeWeight() {
        let ranges = GrowthBook.getBucketRanges(numVariations: 2, coverage: 1, weights: [1.5, -0.5])
        #expect(ranges == [BucketRange(start: 0, end: 1.5), BucketRange(start: 1.5, end: 1)])
        #expect(GrowthBook.chooseVariation(0.99, ranges: ranges) == 0)
        #expect(!ranges[1].contains(1.2))
    }
}
