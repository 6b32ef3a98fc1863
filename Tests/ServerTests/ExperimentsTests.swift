import Core
import HummingbirdTesting
import Testing

@testable import Server

@Suite("/v1/experiments (admin): list, status, stop, report")
struct ExperimentsTests {
    @Test("list and status show each experiment's live status")
    func listAndStatus() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        try await fixture.app().test(.router) { client in
            let list = try field(
                try await client.call(.get, "/v1/experiments", token: admin).object(), "experiments", as: [[String: Any]].self)
            #expect(Set(list.compactMap { $0["id"] as? String }) == Set(fixture.service.experiments.experiments.experiments.map(\.id)))
            #expect(list.count >= 2)
            let one = try await client.call(.get, "/v1/experiments/campus-comment-credit", token: admin).object()
            #expect(try field(one, "primary_metric", as: String.self) == "comments_per_user")
            #expect(try field(one, "variants", as: [[String: Any]].self).count == 2)
            let missing = try await client.call(.get, "/v1/experiments/nope", token: admin)
            #expect(missing.status == .notFound)
            #expect(try missing.errorCode() == "experiment_not_found")
        }
    }

    @Test("stopping records the reason and the status becomes stopped")
    func stop() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        try await fixture.app().test(.router) { client in
            let stopped = try await client.call(
                .post, "/v1/experiments/campus-comment-credit/stop", token: admin, json: #"{"reason": "too many reports"}"#)
            #expect(stopped.status == .ok)
            let view = try stopped.object()
            #expect(try field(view, "status", as: String.self) == "stopped")
            #expect(try field(view, "change_reason", as: String.self) == "too many reports")
            let tooLong = try await client.call(
                .post, "/v1/experiments/campus-comment-credit/stop", token: admin,
                json: "{\"reason\": \"\(String(repeating: "r", count: 501))\"}")
            #expect(tooLong.status == .unprocessableContent)
        }
    }

    @Test("the report is the analyzer's JSON and reading it stops nothing")
    func report() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        try await fixture.app().test(.router) { client in
            let response = try await client.call(.get, "/v1/experiments/campus-comment-credit/report", token: admin)
            #expect(response.status == .ok)
            let report = try response.object()
            #expect(try field(report, "experimentID", as: String.self) == "campus-comment-credit")
            #expect(report["metrics"] is [Any])
            let status = try await client.call(.get, "/v1/experiments/campus-comment-credit", token: admin).object()
            #expect(try field(status, "status", as: String.self) != "stopped")
        }
    }
}
