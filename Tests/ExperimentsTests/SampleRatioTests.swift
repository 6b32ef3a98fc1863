import Testing
@testable import Experiments

@Suite("Sample-ratio mismatch")
struct SampleRatioTests {
    @Test("χ² and p match scipy.stats.chisquare, and p < 0.001 is flagged")
    func scipyCases() throws {
        let reference = try ScipyReference.load()
        var flagged = 0
        for testCase in reference.sampleRatio {
            let check = try SampleRatioCheck(observedCounts: testCase.counts, weights: testCase.weights)
            #expect(isClose(check.chiSquare, testCase.chiSquare))
            #expect(isClose(check.pValue, testCase.pValue))
            #expect(check.degreesOfFreedom == testCase.counts.count - 1)
            #expect(check.isMismatch == (testCase.pValue < 0.001))
            if check.isMismatch { flagged += 1 }
        }
        #expect(flagged > 0 && flagged < reference.sampleRatio.count, "the fixture covers both outcomes")
    }

    @Test("weights need not sum to one")
    func unnormalisedWeights() throws {
        let normalised = try SampleRatioCheck(observedCounts: [480, 520], weights: [0.5, 0.5])
        let raw = try SampleRatioCheck(observedCounts: [480, 520], weights: [50, 50])
        #expect(isClose(normalised.pValue, raw.pValue, relative: 1e-12))
    }

    @Test("a perfect split is not a mismatch")
    func perfectSplit() throws {
        let check = try SampleRatioCheck(observedCounts: [1000, 3000], weights: [0.25, 0.75])
        #expect(check.chiSquare == 0 && check.pValue == 1 && !check.isMismatch)
    }

    @Test("malformed inputs are refused")
    func refusals() {
        #expect(throws: StatisticsError.invalidCounts) { try SampleRatioCheck(observedCounts: [1, 2], weights: [1]) }
        #expect(throws: StatisticsError.invalidCounts) { try SampleRatioCheck(observedCounts: [1], weights: [1]) }
        #expect(throws: StatisticsError.invalidCounts) { try SampleRatioCheck(observedCounts: [1, 2], weights: [1, 0]) }
        #expect(throws: StatisticsError.tooFewUsers) { try SampleRatioCheck(observedCounts: [0, 0], weights: [1, 1]) }
    }
}
