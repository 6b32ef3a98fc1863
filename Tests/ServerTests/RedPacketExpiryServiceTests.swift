import Core
import GRDB
import HummingbirdTesting
import Ledger
import Logging
import Service
import ServiceLifecycle
import Testing

@testable import Server

/// The sweep `quanzi serve` runs: driven tick by tick with a manual clock, never by waiting.
@Suite("the red-packet expiry service")
struct RedPacketExpiryServiceTests {
    @Test("each tick sweeps: a failed sweep is counted and retried at the next tick, a refund shows on /metrics once")
    func ticks() async throws {
        let fixture = try APIFixture()
        _ = try await fixture.token(2)
        _ = try await fixture.token(3)
        try await fixture.fund(2, fen: 1_000)
        let wallet = fixture.service.wallet
        let request = RedPacketRequest(
            sender: UserID(2), split: .fixed, totalFen: 900, shareCount: 3, audience: .users([UserID(3)]), idempotencyKey: "rp")
        let packet = try #require(try await wallet.createRedPacket(request).receipt)
        let claim = try #require(try await wallet.claimRedPacket(packet.id, by: UserID(3)).receipt)
        fixture.clock.set(epochSeconds: packet.expiresAt)

        let ticks = HandTicks()
        let service = RedPacketExpiryService(
            sweeper: RedPacketExpirySweeper(wallet: wallet), ticks: ticks, metrics: fixture.metrics, logger: APIFixture.quietLogger)
        let running = Task { try await service.run() }
        // A sweep that cannot commit (the database refuses to settle any red packet).
        let database = try #require(fixture.service.database)
        try await database.pool.write { db in
            try db.execute(sql: "CREATE TEMP TRIGGER refuse_settling BEFORE UPDATE ON red_packets BEGIN SELECT RAISE(ABORT, 'refused'); END")
        }
        await ticks.tick()
        #expect(try await wallet.balanceFen(of: UserID(2)) == 100)
        #expect(try await wallet.redPacket(packet.id)?.settledAt == nil)

        try await database.pool.write { db in try db.execute(sql: "DROP TRIGGER refuse_settling") }
        await ticks.tick()
        await ticks.tick()
        ticks.finish()
        try await running.value

        #expect(try await wallet.balanceFen(of: UserID(2)) == 100 + 900 - claim.amountFen)
        #expect(try await wallet.balanceFen(of: .redPacketEscrow) == 0)
        try await fixture.app().test(.router) { client in
            let text = try await client.call(.get, "/metrics").text
            #expect(text.contains("\n\(MetricName.redPacketSweepFailures) 1\n"), "\(text)")
            #expect(text.contains("\n\(MetricName.redPacketRefunds) 1\n"))
            #expect(text.contains("\n\(MetricName.redPacketRefundedFen) \(900 - claim.amountFen)\n"))
        }
    }

    @Test("graceful shutdown ends the wait for the next sweep at once", .timeLimit(.minutes(1)))
    func shutdown() async throws {
        let fixture = try APIFixture()
        // A day between sweeps: only the shutdown can end this service within the time limit.
        let service = RedPacketExpiryService(
            sweeper: RedPacketExpirySweeper(wallet: fixture.service.wallet), ticks: SweepTicks(intervalSeconds: 86_400),
            metrics: fixture.metrics, logger: APIFixture.quietLogger)
        let group = ServiceGroup(services: [service], logger: APIFixture.quietLogger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

/// Ticks a test gives by hand. `tick()` returns once the service has run the sweep it started
/// and waits for the next tick, so the test reads the sweep's effects without any sleep.
final class HandTicks: AsyncSequence, Sendable {
    typealias Element = Void
    private let ticks = AsyncStream<Void>.makeStream()
    private let waits = AsyncStream<Void>.makeStream()

    struct AsyncIterator: AsyncIteratorProtocol {
        var ticks: AsyncStream<Void>.Iterator
        let waiting: AsyncStream<Void>.Continuation

        mutating func next() async -> Void? {
            waiting.yield()
            return await ticks.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(ticks: ticks.stream.makeAsyncIterator(), waiting: waits.continuation)
    }

    /// One sweep: waits for the service to wait, ticks, and waits until it waits again.
    func tick() async {
        var waiting = waits.stream.makeAsyncIterator()
        await waiting.next()
        ticks.continuation.yield()
        await waiting.next()
        // That second wait is the start of the next tick's wait: hand it back for the next call.
        waits.continuation.yield()
    }

    /// No more ticks: the service's loop ends.
    func finish() { ticks.continuation.finish() }
}
