import Ledger
import PropertyBased
import Testing

@Suite("Red packet shares")
struct RedPacketSharesTests {
    /// Counts are clamped to the total, so many pairs hit count == total and the 1-fen floor.
    @Test("shares sum to the total, number count and are each at least 1 fen, for any total and count")
    func invariants() async {
        await propertyCheck(
            count: 500, input: Gen.int64(in: 1...1_000_000), Gen.int(in: 1...10_000), Gen.uint64(in: .min ... .max)
        ) { totalFen, countHint, seed in
            let shareCount = Int(min(Int64(countHint), totalFen))
            for split in RedPacketSplit.allCases {
                let shares = RedPacketShares.draw(split: split, totalFen: totalFen, shareCount: shareCount, seed: seed)
                #expect(shares.count == shareCount)
                #expect(shares.reduce(0, +) == totalFen)
                #expect(shares.allSatisfy { $0 >= 1 })
            }
        }
    }

    @Test("count equal to the total gives every claimer exactly 1 fen")
    func countEqualsTotal() async {
        await propertyCheck(input: Gen.int(in: 1...500), Gen.uint64(in: .min ... .max)) { count, seed in
            for split in RedPacketSplit.allCases {
                let shares = RedPacketShares.draw(split: split, totalFen: Int64(count), shareCount: count, seed: seed)
                #expect(shares == Array(repeating: 1, count: count))
            }
        }
    }

    @Test("lucky draws never exceed twice the mean of what remains")
    func doubleMeanBound() async {
        await propertyCheck(input: Gen.int64(in: 2...100_000), Gen.int(in: 2...100), Gen.uint64(in: .min ... .max)) {
            totalFen, countHint, seed in
            let shareCount = Int(min(Int64(countHint), totalFen))
            let shares = RedPacketShares.lucky(totalFen: totalFen, shareCount: shareCount, seed: seed)
            var remainingFen = totalFen
            for (index, share) in shares.dropLast().enumerated() {
                let left = Int64(shareCount - index)
                #expect(share <= 2 * remainingFen / left)
                #expect(remainingFen - share >= left - 1)
                remainingFen -= share
            }
        }
    }

    @Test("the same seed always draws the same shares; another seed draws others")
    func reproducible() {
        let first = RedPacketShares.lucky(totalFen: 10_000, shareCount: 10, seed: 99)
        #expect(RedPacketShares.lucky(totalFen: 10_000, shareCount: 10, seed: 99) == first)
        #expect(RedPacketShares.lucky(totalFen: 10_000, shareCount: 10, seed: 100) != first)
    }

    @Test("lucky shares are pinned for a known seed, so the algorithm cannot drift unnoticed")
    func pinnedVector() {
        #expect(RedPacketShares.lucky(totalFen: 10_000, shareCount: 5, seed: 1_234_567) == PinnedShares.lucky)
    }

    @Test("fixed shares give the remainder's extra fen to the first claimers")
    func fixedRemainder() {
        #expect(RedPacketShares.fixed(totalFen: 10, shareCount: 3) == [4, 3, 3])
        #expect(RedPacketShares.fixed(totalFen: 11, shareCount: 3) == [4, 4, 3])
        #expect(RedPacketShares.fixed(totalFen: 12, shareCount: 3) == [4, 4, 4])
        #expect(RedPacketShares.fixed(totalFen: 20_000, shareCount: 1) == [20_000])
    }

    @Test("lucky shares average the mean: the first share of 100 fen in 10 averages 10 fen")
    func luckyMean() {
        let drawCount = 20_000
        var sum: Int64 = 0
        for seed in 0..<UInt64(drawCount) {
            sum += RedPacketShares.lucky(totalFen: 100, shareCount: 10, seed: seed)[0]
        }
        // Uniform on 1...20 has mean 10.5 and σ ≈ 5.8; the mean of 20,000 is within ±0.2 by far.
        let mean = Double(sum) / Double(drawCount)
        #expect(abs(mean - 10.5) < 0.2)
    }
}

/// Output for (10,000 fen, 5 shares, seed 1234567), computed independently by a Python
/// transcription of the algorithm. If this changes, every stored lucky packet's shares would no
/// longer match its seed, and `ledger verify` would flag them all.
enum PinnedShares {
    static let lucky: [Int64] = [1318, 2576, 2094, 3182, 830]
}
