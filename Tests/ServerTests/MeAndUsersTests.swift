import Core
import HummingbirdTesting
import Testing

@testable import Server

@Suite("/v1/me, /v1/me/credit and /v1/users")
struct MeAndUsersTests {
    @Test("me shows the caller's private attributes")
    func me() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            let response = try await client.call(.get, "/v1/me", token: token)
            #expect(response.status == .ok)
            let me = try response.object()
            #expect(try field(me, "id", as: Int.self) == 2)
            #expect(try field(me, "display_name", as: String.self) == "user 2")
            #expect(try field(me, "school", as: String.self) == "ZJU")
            #expect(try field(me, "occupation", as: String.self) == "student")
            #expect(try field(me, "is_admin", as: Bool.self) == false)
        }
    }

    @Test("another user shows only a public card; an unknown one is 404")
    func publicCard() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        try fixture.user(3)
        try await fixture.app().test(.router) { client in
            let card = try await client.call(.get, "/v1/users/3", token: token).object()
            #expect(Set(card.keys) == ["id", "display_name", "verified"])
            let missing = try await client.call(.get, "/v1/users/404", token: token)
            #expect(missing.status == .notFound)
            #expect(try missing.errorCode() == "user_not_found")
        }
    }

    @Test("credit is 404 until scored, then the caller's score with dimensions and reasons")
    func credit() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            let before = try await client.call(.get, "/v1/me/credit", token: token)
            #expect(before.status == .notFound)
            #expect(try before.errorCode() == "not_found")
            _ = try fixture.service.credit.recomputeAll(at: fixture.clock.nowEpochSeconds)
            let report = try await client.call(.get, "/v1/me/credit", token: token).object()
            #expect(try field(report, "user_id", as: Int.self) == 2)
            #expect((350...950).contains(try field(report, "score", as: Int.self)))
            let dimensions = try field(report, "dimensions", as: [[String: Any]].self)
            #expect(dimensions.count == 5)
            #expect(dimensions.allSatisfy { $0["max_points"] is Int && $0["reasons"] is [Any] })
        }
    }
}
