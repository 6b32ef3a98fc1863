import Core

/// The shares of a red packet, decided at creation so that claiming is a lookup.
///
/// Invariants (property-tested): there are exactly `shareCount` shares, they sum to `totalFen`,
/// every share is at least 1 fen, and the same inputs always give the same shares.
public enum RedPacketShares {
    /// The shares for a packet of `totalFen` in `shareCount` shares; `seed` matters for lucky
    /// packets only. Requires `1 <= shareCount <= totalFen`.
    public static func draw(split: RedPacketSplit, totalFen: Int64, shareCount: Int, seed: UInt64) -> [Int64] {
        switch split {
        case .fixed: fixed(totalFen: totalFen, shareCount: shareCount)
        case .lucky: lucky(totalFen: totalFen, shareCount: shareCount, seed: seed)
        }
    }

    /// Even shares. When the total does not divide evenly, the first `totalFen % shareCount`
    /// shares get one fen more, so the earliest claimers get the extra fen and no share differs
    /// from another by more than one fen.
    public static func fixed(totalFen: Int64, shareCount: Int) -> [Int64] {
        precondition(shareCount >= 1 && Int64(shareCount) <= totalFen, "need 1 <= shareCount <= totalFen")
        let count = Int64(shareCount)
        let baseFen = totalFen / count
        let extraShares = totalFen % count
        return (0..<count).map { $0 < extraShares ? baseFen + 1 : baseFen }
    }

    /// Random shares by the double-mean method: while `k > 1` shares remain out of `remaining`
    /// fen, draw uniformly in `[1, 2·remaining/k]` (integer division), so each draw averages the
    /// current mean; the last share takes the rest. The upper bound is also clipped to
    /// `remaining − (k − 1)` so every later share can still have 1 fen: this only bites when few
    /// fen per share are left (e.g. `k = 2` would otherwise allow taking everything).
    public static func lucky(totalFen: Int64, shareCount: Int, seed: UInt64) -> [Int64] {
        precondition(shareCount >= 1 && Int64(shareCount) <= totalFen, "need 1 <= shareCount <= totalFen")
        var random = SeededGenerator(seed: seed)
        var shares: [Int64] = []
        shares.reserveCapacity(shareCount)
        var remainingFen = totalFen
        for left in stride(from: Int64(shareCount), to: 1, by: -1) {
            let shareMaxFen = min(twiceMean(remainingFen, over: left), remainingFen - (left - 1))
            let share = random.next(in: 1...shareMaxFen)
            shares.append(share)
            remainingFen -= share
        }
        shares.append(remainingFen)
        return shares
    }

    /// `floor(2·fen/count)` without overflowing for totals near `Int64.max`.
    private static func twiceMean(_ fen: Int64, over count: Int64) -> Int64 {
        let (quotient, remainder) = fen.quotientAndRemainder(dividingBy: count)
        return 2 * quotient + (2 * remainder) / count
    }
}
