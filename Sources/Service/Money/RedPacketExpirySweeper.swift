import Core
import Ledger

/// Returns the unclaimed remainder of expired red packets to their senders, so money never sits
/// in escrow after a packet's lifetime. It keeps no timer: `quanzi serve` calls ``sweepOnce(while:)``
/// on a schedule and `quanzi ledger expire` calls it by hand. "Now" is the wallet's clock, so a
/// test decides what has expired with a `ManualClock`.
public struct RedPacketExpirySweeper: Sendable {
    let wallet: WalletService

    /// Most batches (of `LedgerLimits.expirySweepBatchMax` packets each) one sweep refunds: a
    /// backlog is worked off over several ticks rather than holding one sweep, and shutdown, for long.
    public static let batchesPerSweepMax = 100

    public init(wallet: WalletService) {
        self.wallet = wallet
    }

    /// Refunds every red packet expired by now, one short transaction per batch, going on while a
    /// batch comes back full, `shouldContinue()` holds and fewer than ``batchesPerSweepMax`` ran.
    /// Each refund is a balanced transfer from escrow to the sender with its `redpacket.refunded`
    /// event; a packet is refunded at most once, so sweeps may overlap or repeat (on several nodes too).
    public func sweepOnce(while shouldContinue: @Sendable () -> Bool = { true }) async throws -> RedPacketSweep {
        let batchMax = wallet.limits.expirySweepBatchMax
        var sweep = RedPacketSweep()
        while sweep.batchCount < Self.batchesPerSweepMax, shouldContinue() {
            let refunds = try await wallet.expireRedPackets()
            sweep.batchCount += 1
            sweep.refunds += refunds
            if refunds.count < batchMax {
                sweep.isComplete = true
                break
            }
        }
        return sweep
    }
}

/// What one sweep refunded.
public struct RedPacketSweep: Sendable, Hashable {
    /// One per refunded packet, oldest expiry first.
    public var refunds: [RedPacketRefund] = []
    /// Transactions the sweep ran.
    public var batchCount = 0
    /// False when the sweep stopped with packets possibly left (batch bound or shutdown): the
    /// next sweep goes on where it stopped.
    public var isComplete = false

    public init() {}

    /// Fen returned to senders. Each refund is at most one packet's total, bounded by
    /// `LedgerLimits.redPacketTotalMaxFen`, so the sum stays far inside Int64 (and `+` traps, never wraps).
    public var refundedFen: Int64 { refunds.reduce(0) { $0 + $1.amountFen } }
}
