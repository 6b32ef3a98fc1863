import Core
import Ledger
@_spi(LedgerStore) @testable import Service
@_spi(LedgerStore) import SQLiteStorage
@_spi(LedgerStore) import StorageModel
import Testing

@Suite("Red packets")
struct RedPacketWalletTests {
    let sender = UserID(1)
    let everyone = (2...6).map { UserID(Int64($0)) }

    func luckyPacket(total: Int64 = 1_000, count: Int = 3, key: String = "rp-1", seed: UInt64? = 7) -> RedPacketRequest {
        RedPacketRequest(
            sender: sender, split: .lucky, totalFen: total, shareCount: count, audience: .users(everyone),
            idempotencyKey: key, seed: seed)
    }

    @Test("creating moves the total into escrow and fixes the shares its seed draws")
    func create() async throws {
        let fixture = try await WalletFixture(userCount: 6)
        defer { fixture.remove() }
        try await fixture.fund(sender, 5_000)
        let result = try await fixture.wallet.createRedPacket(luckyPacket())
        guard case .committed(let packet) = result else { Issue.record("\(result)"); return }
        #expect(try await fixture.balance(1) == 4_000)
        #expect(try await fixture.wallet.balanceFen(of: .redPacketEscrow) == 1_000)
        #expect(packet.expiresAt == WalletFixture.startEpochSeconds + 86_400)
        #expect(packet.audience == .users(everyone))

        var claimed: [Int64] = []
        for user in everyone.prefix(3) {
            let claim = try await fixture.wallet.claimRedPacket(packet.id, by: user)
            claimed.append(claim.receipt?.amountFen ?? -1)
        }
        #expect(claimed == RedPacketShares.lucky(totalFen: 1_000, shareCount: 3, seed: 7))
        #expect(try await fixture.wallet.claimRedPacket(packet.id, by: everyone[3]) == .rejected(.redPacketEmpty))
        #expect(try await fixture.wallet.balanceFen(of: .redPacketEscrow) == 0)
        #expect(
            try await fixture.eventKinds().suffix(4) == [
                "redpacket.created", "redpacket.claimed", "redpacket.claimed", "redpacket.claimed",
            ])
        let state = try await fixture.wallet.redPacket(packet.id)
        #expect(state?.claims.count == 3 && state?.remainingFen == 0 && state?.settledAt != nil)
        #expect(try await fixture.wallet.verify().isConsistent)
    }

    @Test("a red packet cannot be claimed twice: the second claim replays the first and moves nothing")
    func claimOnce() async throws {
        let fixture = try await WalletFixture(userCount: 6)
        defer { fixture.remove() }
        try await fixture.fund(sender, 1_000)
        let packet = try #require(try await fixture.wallet.createRedPacket(luckyPacket()).receipt)
        guard case .committed(let first) = try await fixture.wallet.claimRedPacket(packet.id, by: everyone[0]) else {
            Issue.record("first claim failed")
            return
        }
        let before = try await fixture.snapshot()
        #expect(try await fixture.wallet.claimRedPacket(packet.id, by: everyone[0]) == .replayed(first))
        #expect(try await fixture.snapshot() == before)
    }

    @Test("claims are refused in order: unknown packet, no account, outside the audience")
    func claimRefusals() async throws {
        let fixture = try await WalletFixture(userCount: 8)
        defer { fixture.remove() }
        try await fixture.fund(sender, 1_000)
        let packet = try #require(try await fixture.wallet.createRedPacket(luckyPacket()).receipt)
        let before = try await fixture.snapshot()
        #expect(try await fixture.wallet.claimRedPacket(RedPacketID(999), by: everyone[0]) == .rejected(.redPacketNotFound))
        #expect(try await fixture.wallet.claimRedPacket(packet.id, by: UserID(404)) == .rejected(.accountNotFound))
        #expect(try await fixture.wallet.claimRedPacket(packet.id, by: UserID(8)) == .rejected(.notInAudience))
        #expect(try await fixture.snapshot() == before)
    }

    @Test("friends and circle audiences are decided by the caller's checker; the default admits nobody")
    func socialAudience() async throws {
        let onlyEven = AudienceClosure { claimer, audience, _ in audience == .friends && claimer.rawValue % 2 == 0 }
        let fixture = try await WalletFixture(userCount: 6, audience: onlyEven)
        defer { fixture.remove() }
        try await fixture.fund(sender, 1_000)
        var request = luckyPacket()
        request.audience = .friends
        let packet = try #require(try await fixture.wallet.createRedPacket(request).receipt)
        #expect(try await fixture.wallet.claimRedPacket(packet.id, by: UserID(2)).code == "ok")
        #expect(try await fixture.wallet.claimRedPacket(packet.id, by: UserID(3)) == .rejected(.notInAudience))

        let closed = WalletService.standalone(store: fixture.store, clock: fixture.clock)
        #expect(try await closed.claimRedPacket(packet.id, by: UserID(4)) == .rejected(.notInAudience))
    }

    @Test("after expiry claims are refused and the sweep refunds the remainder once")
    func expiry() async throws {
        let fixture = try await WalletFixture(userCount: 6)
        defer { fixture.remove() }
        try await fixture.fund(sender, 1_000)
        let packet = try #require(try await fixture.wallet.createRedPacket(luckyPacket(count: 3)).receipt)
        let first = try #require(try await fixture.wallet.claimRedPacket(packet.id, by: everyone[0]).receipt)

        #expect(try await fixture.wallet.expireRedPackets().isEmpty)
        fixture.clock.advance(bySeconds: 86_400)
        #expect(try await fixture.wallet.claimRedPacket(packet.id, by: everyone[1]) == .rejected(.redPacketExpired))
        let refunds = try await fixture.wallet.expireRedPackets()
        #expect(refunds.map(\.amountFen) == [1_000 - first.amountFen])
        #expect(try await fixture.balance(1) == 1_000 - first.amountFen)
        #expect(try await fixture.wallet.expireRedPackets().isEmpty)
        #expect(try await fixture.wallet.claimRedPacket(packet.id, by: everyone[1]) == .rejected(.redPacketExpired))
        // A claim made before expiry is still a fact afterwards.
        #expect(try await fixture.wallet.claimRedPacket(packet.id, by: everyone[0]).code == "replayed")
        #expect(try await fixture.wallet.balanceFen(of: .redPacketEscrow) == 0)
        #expect(try await fixture.eventKinds().last == "redpacket.refunded")
        #expect(try await fixture.wallet.verify().isConsistent)
    }

    @Test("creating is idempotent: the same key replays the packet, a different request conflicts")
    func createIdempotency() async throws {
        let fixture = try await WalletFixture(userCount: 6)
        defer { fixture.remove() }
        try await fixture.fund(sender, 5_000)
        let unseeded = luckyPacket(seed: nil)
        let original = try #require(try await fixture.wallet.createRedPacket(unseeded).receipt)
        let before = try await fixture.snapshot()
        // No seed given: the retry draws a new one, but it is the same request, so it replays.
        #expect(try await fixture.wallet.createRedPacket(unseeded) == .replayed(original))
        #expect(try await fixture.wallet.createRedPacket(luckyPacket(total: 999, seed: nil)) == .rejected(.idempotencyKeyReused))
        // A transfer cannot reuse a red packet's key either.
        #expect(
            try await fixture.wallet.transfer(from: sender, to: everyone[0], amountFen: 1, idempotencyKey: "rp-1")
                == .rejected(.idempotencyKeyReused))
        #expect(try await fixture.snapshot() == before)
    }

    @Test("an unaffordable or malformed red packet is refused and moves nothing")
    func createRefusals() async throws {
        let fixture = try await WalletFixture(userCount: 6)
        defer { fixture.remove() }
        try await fixture.fund(sender, 500)
        let before = try await fixture.snapshot()
        #expect(try await fixture.wallet.createRedPacket(luckyPacket(total: 501)) == .rejected(.insufficientFunds))
        #expect(try await fixture.wallet.createRedPacket(luckyPacket(total: 2, count: 3)) == .rejected(.countExceedsTotal))
        #expect(try await fixture.wallet.createRedPacket(luckyPacket(total: 20_001)) == .rejected(.exceedsLimit))
        var stranger = luckyPacket()
        stranger.sender = UserID(404)
        #expect(try await fixture.wallet.createRedPacket(stranger) == .rejected(.accountNotFound))
        #expect(try await fixture.snapshot() == before)
    }

    @Test("a fixed packet splits evenly, the first claimers taking the remainder's extra fen")
    func fixedSplit() async throws {
        let fixture = try await WalletFixture(userCount: 6)
        defer { fixture.remove() }
        try await fixture.fund(sender, 100)
        var request = luckyPacket(total: 100, count: 3)
        request.split = .fixed
        let packet = try #require(try await fixture.wallet.createRedPacket(request).receipt)
        var amounts: [Int64] = []
        for user in everyone.prefix(3) {
            amounts.append(try await fixture.wallet.claimRedPacket(packet.id, by: user).receipt?.amountFen ?? 0)
        }
        #expect(amounts == [34, 33, 33])
    }
}
