import Core
import Ledger
import Testing

/// What the ledger should do, computed the obvious way, for the property tests.
struct LedgerModel {
    struct Packet {
        var receipt: RedPacketReceipt
        var shares: [Int64]
        var claims: [UserID: RedPacketClaim] = [:]
        var refunded = false
        var remainingFen: Int64 { shares.dropFirst(claims.count).reduce(0, +) }
    }

    let limits: LedgerLimits
    var balancesFen: [Int64: Int64]
    var escrowFen: Int64 = 0
    var moneyInSystemFen: Int64 = 0
    var committed: [(TransferRequest, TransferReceipt)] = []
    var packets: [RedPacketID: Packet] = [:]

    init(userCount: Int64, limits: LedgerLimits) {
        self.limits = limits
        balancesFen = Dictionary(uniqueKeysWithValues: (1...userCount).map { ($0, 0) })
    }

    mutating func check(_ request: TransferRequest, against result: TransferResult) {
        let expected: LedgerError? =
            if let error = request.fieldError(limits: limits) {
                error
            } else if request.kind != .topUp, balancesFen[request.debit.rawValue, default: 0] < request.amountFen {
                .insufficientFunds
            } else { nil }
        guard let expected else {
            guard case .committed(let receipt) = result else {
                Issue.record("expected \(request.fingerprint) to commit, got \(result)")
                return
            }
            if request.kind == .topUp {
                moneyInSystemFen += request.amountFen
            } else {
                balancesFen[request.debit.rawValue]! -= request.amountFen
            }
            balancesFen[request.credit.rawValue]! += request.amountFen
            committed.append((request, receipt))
            return
        }
        #expect(result == .rejected(expected), "\(request.fingerprint)")
    }

    mutating func check(_ request: RedPacketRequest, against result: RedPacketResult, now: Int64) {
        let expected: LedgerError? =
            if let error = request.fieldError(limits: limits) {
                error
            } else if balancesFen[request.sender.rawValue, default: 0] < request.totalFen { .insufficientFunds } else { nil }
        guard let expected else {
            guard case .committed(let receipt) = result else {
                Issue.record("expected \(request.fingerprint) to commit, got \(result)")
                return
            }
            #expect(receipt.expiresAt == now + limits.redPacketLifetimeSeconds)
            balancesFen[request.sender.rawValue]! -= request.totalFen
            escrowFen += request.totalFen
            let shares = RedPacketShares.draw(
                split: request.split, totalFen: request.totalFen, shareCount: request.shareCount, seed: receipt.seed)
            packets[receipt.id] = Packet(receipt: receipt, shares: shares)
            return
        }
        #expect(result == .rejected(expected), "\(request.fingerprint)")
    }

    mutating func check(claim id: RedPacketID, by claimer: UserID, against result: ClaimResult, now: Int64) {
        guard var packet = packets[id] else { return }
        if let earlier = packet.claims[claimer] {
            #expect(result == .replayed(earlier))
            return
        }
        guard case .users(let audience) = packet.receipt.audience, audience.contains(claimer) else {
            #expect(result == .rejected(.notInAudience))
            return
        }
        if now >= packet.receipt.expiresAt || packet.refunded {
            #expect(result == .rejected(.redPacketExpired))
            return
        }
        guard packet.claims.count < packet.shares.count else {
            #expect(result == .rejected(.redPacketEmpty))
            return
        }
        let amountFen = packet.shares[packet.claims.count]
        guard case .committed(let claim) = result, claim.amountFen == amountFen else {
            Issue.record("expected a claim of \(amountFen) fen, got \(result)")
            return
        }
        packet.claims[claimer] = claim
        packets[id] = packet
        escrowFen -= amountFen
        balancesFen[claimer.rawValue]! += amountFen
    }

    /// Applies the wallet's refunds after checking they are exactly the expired remainders.
    mutating func expire(refunds: [RedPacketRefund], now: Int64) {
        var expected: [RedPacketID: Int64] = [:]
        for (id, packet) in packets where !packet.refunded && now >= packet.receipt.expiresAt && packet.remainingFen > 0 {
            expected[id] = packet.remainingFen
        }
        let actual = Dictionary(uniqueKeysWithValues: refunds.map { ($0.redPacketID, $0.amountFen) })
        #expect(actual == expected)
        for refund in refunds {
            packets[refund.redPacketID]?.refunded = true
            escrowFen -= refund.amountFen
            balancesFen[refund.sender.rawValue]! += refund.amountFen
        }
    }
}
