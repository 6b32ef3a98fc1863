import Core
import Ledger
import Testing

/// Storage's red-packet behaviours (SQLiteStorageTests' `RedPacketWalletTests`), written once and run
/// on each backend.
@Suite("red packets on every backend")
struct RedPacketContractTests {
    static let sender = UserID(1)
    static let everyone = (2...6).map { UserID(Int64($0)) }

    static func luckyPacket(total: Int64 = 1_000, count: Int = 3, key: String = "rp-1", seed: UInt64? = 7) -> RedPacketRequest {
        RedPacketRequest(
            sender: sender, split: .lucky, totalFen: total, shareCount: count, audience: .users(everyone),
            idempotencyKey: key, seed: seed)
    }

    @Test("creating moves the total into escrow and fixes the shares its seed draws", arguments: Backend.available)
    func create(_ backend: Backend) async throws {
        try await backend.withWallet(userCount: 6) { fixture in
            try await fixture.fund(Self.sender, 5_000)
            let result = try await fixture.wallet.createRedPacket(Self.luckyPacket())
            guard case .committed(let packet) = result else { Issue.record("\(result)"); return }
            #expect(try await fixture.balance(1) == 4_000)
            #expect(try await fixture.wallet.balanceFen(of: .redPacketEscrow) == 1_000)
            #expect(packet.expiresAt == Backend.startEpochSeconds + 86_400)
            #expect(packet.audience == .users(Self.everyone))

            var claimed: [Int64] = []
            for user in Self.everyone.prefix(3) {
                let claim = try await fixture.wallet.claimRedPacket(packet.id, by: user)
                claimed.append(claim.receipt?.amountFen ?? -1)
            }
            #expect(claimed == RedPacketShares.lucky(totalFen: 1_000, shareCount: 3, seed: 7))
            #expect(try await fixture.wallet.claimRedPacket(packet.id, by: Self.everyone[3]) == .rejected(.redPacketEmpty))
            #expect(try await fixture.wallet.balanceFen(of: .redPacketEscrow) == 0)
            #expect(
                try await fixture.eventKinds().suffix(4) == [
                    "redpacket.created", "redpacket.claimed", "redpacket.claimed", "redpacket.claimed",
                ])
            let state = try await fixture.wallet.redPacket(packet.id)
            #expect(state?.claims.count == 3 && state?.remainingFen == 0 && state?.settledAt != nil)
            #expect(state?.receipt == packet)
            #expect(try await fixture.wallet.verify().isConsistent)
        }
    }

    @Test("a red packet cannot be claimed twice: the second claim replays the first and moves nothing", arguments: Backend.available)
    func claimOnce(_ backend: Backend) async throws {
        try await backend.withWallet(userCount: 6) { fixture in
            try await fixture.fund(Self.sender, 1_000)
            let packet = try #require(try await fixture.wallet.createRedPacket(Self.luckyPacket()).receipt)
            guard case .committed(let first) = try await fixture.wallet.claimRedPacket(packet.id, by: Self.everyone[0]) else {
                Issue.record("first claim failed")
                return
            }
            let before = try await fixture.snapshot()
            #expect(try await fixture.wallet.claimRedPacket(packet.id, by: Self.everyone[0]) == .replayed(first))
            #expect(try await fixture.snapshot() == before)
        }
    }

    @Test("concurrent claims of one packet: each share goes once, each claimer gets at most one", arguments: Backend.available)
    func concurrentClaims(_ backend: Backend) async throws {
        try await backend.withWallet(userCount: 6) { fixture in
            try await fixture.fund(Self.sender, 1_000)
            let packet = try #require(try await fixture.wallet.createRedPacket(Self.luckyPacket(count: 3)).receipt)
            // Every claimer twice at once: five people race for three shares.
            let results = try await withThrowingTaskGroup(of: ClaimResult.self) { group in
                for user in Self.everyone + Self.everyone {
                    group.addTask { try await fixture.wallet.claimRedPacket(packet.id, by: user) }
                }
                return try await group.reduce(into: [ClaimResult]()) { $0.append($1) }
            }
            let committed = results.compactMap { if case .committed(let claim) = $0 { claim } else { nil } }
            #expect(committed.count == 3)
            #expect(Set(committed.map(\.claimer)).count == 3 && Set(committed.map(\.shareIndex)) == [0, 1, 2])
            #expect(results.allSatisfy { ["ok", "replayed", "red_packet_empty"].contains($0.code) }, "\(results)")
            #expect(try await fixture.wallet.balanceFen(of: .redPacketEscrow) == 0)
            #expect(try await fixture.wallet.verify().isConsistent)
        }
    }

    @Test("claims are refused in order: unknown packet, no account, outside the audience", arguments: Backend.available)
    func claimRefusals(_ backend: Backend) async throws {
        try await backend.withWallet(userCount: 8) { fixture in
            try await fixture.fund(Self.sender, 1_000)
            let packet = try #require(try await fixture.wallet.createRedPacket(Self.luckyPacket()).receipt)
            let before = try await fixture.snapshot()
            #expect(try await fixture.wallet.claimRedPacket(RedPacketID(999), by: Self.everyone[0]) == .rejected(.redPacketNotFound))
            #expect(try await fixture.wallet.claimRedPacket(packet.id, by: UserID(404)) == .rejected(.accountNotFound))
            #expect(try await fixture.wallet.claimRedPacket(packet.id, by: UserID(8)) == .rejected(.notInAudience))
            #expect(try await fixture.snapshot() == before)
        }
    }

    @Test("friends and circle audiences are decided by the caller's checker", arguments: Backend.available)
    func socialAudience(_ backend: Backend) async throws {
        let onlyEven = AudienceClosure { claimer, audience, _ in audience == .friends && claimer.rawValue % 2 == 0 }
        try await backend.withWallet(userCount: 6, audience: onlyEven) { fixture in
            try await fixture.fund(Self.sender, 1_000)
            var request = Self.luckyPacket()
            request.audience = .friends
            let packet = try #require(try await fixture.wallet.createRedPacket(request).receipt)
            #expect(try await fixture.wallet.claimRedPacket(packet.id, by: UserID(2)).code == "ok")
            #expect(try await fixture.wallet.claimRedPacket(packet.id, by: UserID(3)) == .rejected(.notInAudience))
        }
    }

    @Test("the default checker admits nobody to a friends packet", arguments: Backend.available)
    func defaultAudienceClosed(_ backend: Backend) async throws {
        try await backend.withWallet(userCount: 6) { fixture in
            try await fixture.fund(Self.sender, 1_000)
            var request = Self.luckyPacket()
            request.audience = .friends
            let packet = try #require(try await fixture.wallet.createRedPacket(request).receipt)
            #expect(try await fixture.wallet.claimRedPacket(packet.id, by: UserID(4)) == .rejected(.notInAudience))
        }
    }

    @Test("after expiry claims are refused and the sweep refunds the remainder once", arguments: Backend.available)
    func expiry(_ backend: Backend) async throws {
        try await backend.withWallet(userCount: 6) { fixture in
            try await fixture.fund(Self.sender, 1_000)
            let packet = try #require(try await fixture.wallet.createRedPacket(Self.luckyPacket(count: 3)).receipt)
            let first = try #require(try await fixture.wallet.claimRedPacket(packet.id, by: Self.everyone[0]).receipt)

            #expect(try await fixture.wallet.expireRedPackets(now: nil).isEmpty)
            fixture.clock.advance(bySeconds: 86_400)
            #expect(try await fixture.wallet.claimRedPacket(packet.id, by: Self.everyone[1]) == .rejected(.redPacketExpired))
            let refunds = try await fixture.wallet.expireRedPackets(now: nil)
            #expect(refunds.map(\.amountFen) == [1_000 - first.amountFen])
            #expect(try await fixture.balance(1) == 1_000 - first.amountFen)
            #expect(try await fixture.wallet.expireRedPackets(now: nil).isEmpty)
            #expect(try await fixture.wallet.claimRedPacket(packet.id, by: Self.everyone[1]) == .rejected(.redPacketExpired))
            // A claim made before expiry is still a fact afterwards.
            #expect(try await fixture.wallet.claimRedPacket(packet.id, by: Self.everyone[0]).code == "replayed")
            #expect(try await fixture.wallet.balanceFen(of: .redPacketEscrow) == 0)
            #expect(try await fixture.eventKinds().last == "redpacket.refunded")
            let state = try await fixture.wallet.redPacket(packet.id)
            #expect(state?.refundTransferID == refunds.first?.transferID && state?.remainingFen == 0)
            #expect(try await fixture.wallet.verify().isConsistent)
        }
    }

    @Test("creating is idempotent: the same key replays the packet, a different request conflicts", arguments: Backend.available)
    func createIdempotency(_ backend: Backend) async throws {
        try await backend.withWallet(userCount: 6) { fixture in
            try await fixture.fund(Self.sender, 5_000)
            let unseeded = Self.luckyPacket(seed: nil)
            let original = try #require(try await fixture.wallet.createRedPacket(unseeded).receipt)
            let before = try await fixture.snapshot()
            // No seed given: the retry draws a new one, but it is the same request, so it replays.
            #expect(try await fixture.wallet.createRedPacket(unseeded) == .replayed(original))
            #expect(try await fixture.wallet.createRedPacket(Self.luckyPacket(total: 999, seed: nil)) == .rejected(.idempotencyKeyReused))
            // A transfer cannot reuse a red packet's key either.
            #expect(
                try await fixture.wallet.transfer(from: Self.sender, to: Self.everyone[0], amountFen: 1, idempotencyKey: "rp-1")
                    == .rejected(.idempotencyKeyReused))
            #expect(try await fixture.snapshot() == before)
        }
    }

    @Test("an unaffordable or malformed red packet is refused and moves nothing", arguments: Backend.available)
    func createRefusals(_ backend: Backend) async throws {
        try await backend.withWallet(userCount: 6) { fixture in
            try await fixture.fund(Self.sender, 500)
            let before = try await fixture.snapshot()
            #expect(try await fixture.wallet.createRedPacket(Self.luckyPacket(total: 501)) == .rejected(.insufficientFunds))
            #expect(try await fixture.wallet.createRedPacket(Self.luckyPacket(total: 2, count: 3)) == .rejected(.countExceedsTotal))
            #expect(try await fixture.wallet.createRedPacket(Self.luckyPacket(total: 20_001)) == .rejected(.exceedsLimit))
            var stranger = Self.luckyPacket()
            stranger.sender = UserID(404)
            #expect(try await fixture.wallet.createRedPacket(stranger) == .rejected(.accountNotFound))
            #expect(try await fixture.snapshot() == before)
        }
    }

    @Test("a fixed packet splits evenly, the first claimers taking the remainder's extra fen", arguments: Backend.available)
    func fixedSplit(_ backend: Backend) async throws {
        try await backend.withWallet(userCount: 6) { fixture in
            try await fixture.fund(Self.sender, 100)
            var request = Self.luckyPacket(total: 100, count: 3)
            request.split = .fixed
            let packet = try #require(try await fixture.wallet.createRedPacket(request).receipt)
            var amounts: [Int64] = []
            for user in Self.everyone.prefix(3) {
                amounts.append(try await fixture.wallet.claimRedPacket(packet.id, by: user).receipt?.amountFen ?? 0)
            }
            #expect(amounts == [34, 33, 33])
        }
    }

    @Test("verify names escrow that no longer matches the unclaimed shares", arguments: Backend.available)
    func verifyEscrow(_ backend: Backend) async throws {
        try await backend.withWallet(userCount: 6) { fixture in
            try await fixture.fund(Self.sender, 1_000)
            let packet = try #require(try await fixture.wallet.createRedPacket(Self.luckyPacket()).receipt)
            let claim = try #require(try await fixture.wallet.claimRedPacket(packet.id, by: Self.everyone[0]).receipt)
            let healthy = try await fixture.wallet.verify()
            #expect(healthy.isConsistent && healthy.redPacketCount == 1, "\(healthy.problems)")
            // Balances are the one mutable ledger column: a bug there must not go unnoticed.
            try await fixture.execute("UPDATE ledger_accounts SET balance_fen = balance_fen + 1 WHERE id = -2")
            let report = try await fixture.wallet.verify()
            #expect(report.problems.contains(.escrowMismatch(escrowFen: 1_001 - claim.amountFen, outstandingFen: 1_000 - claim.amountFen)))
        }
    }
}
