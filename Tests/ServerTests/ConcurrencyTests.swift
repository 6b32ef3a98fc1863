import Core
import Foundation
import HummingbirdTesting
import Synchronization
import Testing

@testable import Server

@Suite("many requests at once")
struct ConcurrencyTests {
    /// Handlers block in GRDB and Lua. When they ran on Swift's cooperative pool (one thread per
    /// core), dozens of concurrent feed requests once left every pool thread waiting for a
    /// database reader and the server stopped answering, /healthz included. Every request here
    /// must be answered; the time limit turns a hang into a failure instead of a stuck run.
    @Test("200 concurrent feed, wallet and health requests all get answers", .timeLimit(.minutes(2)))
    func concurrentRequestsAllAnswer() async throws {
        let fixture = try APIFixture()
        var tokens: [String] = []
        for id: Int64 in 2...9 {
            if id > 3 { _ = try fixture.user(id) }
            tokens.append(try await fixture.token(id))
        }
        for n in 0..<40 {
            _ = try fixture.service.createPost(by: UserID(Int64(2 + n % 8)), in: CircleID(["nearby", "friends"][n % 2]), body: "post \(n)")
        }
        let issued = tokens
        try await fixture.app().test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for n in 0..<200 {
                    let token = issued[n % issued.count]
                    let path: String
                    switch n % 4 {
                    case 0: path = "/v1/circles/nearby/feed?limit=10"
                    case 1: path = "/v1/circles/friends/feed?limit=10"
                    case 2: path = "/v1/wallet"
                    default: path = "/healthz"
                    }
                    group.addTask { (path, Int(try await client.call(.get, path, token: token).status.code)) }
                }
                var statuses: [(String, Int)] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
            #expect(statuses.count == 200)
            let failures = statuses.filter { $0.1 != 200 }
            #expect(failures.isEmpty, "non-200 answers: \(failures.prefix(5))")
        }
        // Each feed page recorded its views; the group commit lost none.
        #expect(fixture.service.views.currentStatistics.views > 0)
    }
}
