import PropertyBased
import Testing
@testable import Experiments

@Suite("Multiple comparisons")
struct MultipleComparisonsTests {
    @Test("Holm and Benjamini–Hochberg match the reference implementations")
    func referenceCases() throws {
        let reference = try ScipyReference.load()
        for testCase in reference.multipleComparisons {
            let holm = MultipleComparisons.adjust(testCase.pValues, method: .holm)
            let bh = MultipleComparisons.adjust(testCase.pValues, method: .benjaminiHochberg)
            #expect(zip(holm, testCase.holm).allSatisfy { isClose($0, $1, relative: 1e-12) }, "\(holm) vs \(testCase.holm)")
            #expect(zip(bh, testCase.benjaminiHochberg).allSatisfy { isClose($0, $1, relative: 1e-12) }, "\(bh)")
        }
    }

    @Test("a hand-worked family of four")
    func handWorked() {
        let p = [0.01, 0.04, 0.03, 0.005]
        #expect(MultipleComparisons.holm(p).map { ($0 * 1e12).rounded() / 1e12 } == [0.03, 0.06, 0.06, 0.02])
        #expect(MultipleComparisons.benjaminiHochberg(p).map { ($0 * 1e12).rounded() / 1e12 } == [0.02, 0.04, 0.04, 0.02])
    }

    @Test("adjusted p-values lie between p and 1, with BH never above Holm, and keep the order of p")
    func properties() async {
        await propertyCheck(count: 300, input: Gen.double(in: 0...1).array(of: 0...20)) { p in
            let holm = MultipleComparisons.holm(p)
            let bh = MultipleComparisons.benjaminiHochberg(p)
            #expect(holm.count == p.count && bh.count == p.count)
            for index in p.indices {
                #expect(p[index] <= bh[index] + 1e-15 && bh[index] <= holm[index] + 1e-15 && holm[index] <= 1)
                for other in p.indices where p[index] < p[other] {
                    #expect(holm[index] <= holm[other] && bh[index] <= bh[other])
                }
            }
        }
    }
}
