import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresStorage
import Server
import Service
import Social
import StorageModel
import Testing

/// `GET /v1/me/experiments` and `POST /v1/me/exposures` over `PostgresBackend`, on two nodes
/// sharing one database, as `quanzi serve --db postgres://…` runs them.
@Suite("app experiment routes on PostgreSQL", PostgresTestDatabase.available)
struct PostgresAppExperimentsTests {
    static let experiment = "feed-affinity-weight"

    @Test("reading logs nothing; a report logs one row; the same report on the other node writes no second row")
    func exposureOnTwoNodes() async throws {
        try await PostgresTestDatabase.withBackends(2) { backends in
            let clock = ManualClock(epochSeconds: PostgresServiceTests.start)
            let nodeA = try await PostgresServiceTests.service(on: backends[0], clock: clock)
            let nodeB = try await PostgresServiceTests.service(on: backends[1], clock: clock)
            // The first user the experiment takes by hash.
            let user = try await Backend.offPool { () throws -> UserProfile in
                for id in Int64(1)...2_000 {
                    let profile = PostgresServiceTests.profile(id)
                    try nodeA.users.insert(profile, isAdmin: false)
                    if try nodeA.experiments.assign(profile, to: Self.experiment).reason == .assigned { return profile }
                }
                throw QuanziError(.notFound, "nobody in \(Self.experiment) among users 1…2000")
            }
            let token = try await TokenIssuer(store: nodeA.storage.tokens, wallet: nodeA.wallet, clock: clock).issue(for: user.id, admin: false).token
            let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
            let report = ByteBuffer(string: #"{"experiment_id": "feed-affinity-weight"}"#)
            @Sendable func rows() async throws -> [ExperimentExposure] { try await Backend.offPool { try nodeA.experiments.store.exposures(of: Self.experiment) } }

            try await quietApplication(nodeA).test(.router) { client in
                let list = try await client.executeRequest(uri: "/v1/me/experiments", method: .get, headers: headers, body: nil)
                #expect(list.status == .ok)
                #expect(String(buffer: list.body).contains(#""experiment_id":"feed-affinity-weight""#))
                #expect(try await rows().isEmpty)

                let first = try await client.executeRequest(uri: "/v1/me/exposures", method: .post, headers: headers, body: report)
                #expect(first.status == .ok)
                #expect(String(buffer: first.body).contains(#""logged":true"#))
                let again = try await client.executeRequest(uri: "/v1/me/exposures", method: .post, headers: headers, body: report)
                #expect(String(buffer: again.body).contains(#""reason":"already_exposed""#))
            }
            #expect(try await rows().map(\.userID) == [user.id])

            // Node B has not seen node A's exposure: the store's key keeps it at one row, and B says
            // it was already exposed (what the store wrote, not what B remembered).
            clock.advance(bySeconds: 60)
            try await quietApplication(nodeB).test(.router) { client in
                let onB = try await client.executeRequest(uri: "/v1/me/exposures", method: .post, headers: headers, body: report)
                #expect(onB.status == .ok)
                #expect(String(buffer: onB.body).contains(#""reason":"already_exposed""#))
                #expect(String(buffer: onB.body).contains(#""logged":false"#))
            }
            #expect(try await rows().map(\.firstExposedAtEpochSeconds) == [PostgresServiceTests.start])
        }
    }
}
