import Core
import HummingbirdTesting
import Synchronization
import Testing

@testable import Server

@Suite("a real listening socket")
struct LiveServerTests {
    @Test("requests over TCP work end to end, and the shutdown hook runs after the server drains")
    func live() async throws {
        let fixture = try APIFixture()
        let alice = try await fixture.token(2)
        _ = try await fixture.token(3)
        try await fixture.fund(2, fen: 1_000)
        let shutDown = Flag()
        let app = buildApplication(
            service: fixture.service, configuration: ServerConfiguration(host: "127.0.0.1", port: 0, limits: fixture.limits),
            metrics: fixture.metrics, logger: APIFixture.quietLogger, afterShutdown: { shutDown.value.store(true, ordering: .relaxed) })
        try await app.test(.live) { client in
            #expect(client.port != nil && client.port != 0)
            #expect(try await client.call(.get, "/healthz").status == .ok)
            let transfer = try await client.call(
                .post, "/v1/wallet/transfers", token: alice, json: #"{"to_user_id": 3, "amount_fen": 250}"#, key: "live-1")
            #expect(transfer.status == .created)
            #expect(try field(try await client.call(.get, "/v1/wallet", token: alice).object(), "balance_fen", as: Int.self) == 750)
            #expect(try await client.call(.get, "/v1/me").status == .unauthorized)
            #expect(!shutDown.isSet)
        }
        #expect(shutDown.isSet)
    }
}

final class Flag: Sendable {
    let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
}
