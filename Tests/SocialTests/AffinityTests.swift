import Testing

@testable import Social

@Suite("affinity")
struct AffinityTests {
    @Test("a score halves every half-life")
    func halfLife() {
        let day: Int64 = 86_400
        let decayed = Affinity.decayed(8, updatedAtEpochSeconds: 0, nowEpochSeconds: Int64(Affinity.halfLifeDays) * day)
        #expect(abs(decayed - 4) < 1e-9)
        #expect(Affinity.decayed(8, updatedAtEpochSeconds: 100, nowEpochSeconds: 50) == 8, "the future does not grow scores")
    }

    @Test("normalized affinity is in [0, 1) and grows with the score")
    func normalized() {
        #expect(Affinity.normalized(0) == 0)
        #expect(Affinity.normalized(Affinity.scoreScale) > 0.63 && Affinity.normalized(Affinity.scoreScale) < 0.64)
        #expect(Affinity.normalized(1e6) <= 1)
        #expect(Affinity.normalized(5) < Affinity.normalized(6))
    }
}
