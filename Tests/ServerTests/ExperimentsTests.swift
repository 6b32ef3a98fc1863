import Core
import Experiments
import HummingbirdTesting
import LuaHost
import Service
import Social
import Testing

@testable import Server

@Suite("/v1/experiments (admin): list, status, stop, ship, report")
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

    @Test("advance, hold and release: admin only, with a reason on record, each refused with 409 when it does not apply")
    func steerRamp() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        let member = try await fixture.token(2)
        let id = "campus-comment-credit"
        try await fixture.app().test(.router) { client in
            let early = try await client.call(.post, "/v1/experiments/\(id)/hold", token: admin, json: #"{"reason": "not yet"}"#)
            #expect(early.status == .conflict)
            #expect(try early.errorCode() == "experiment_state_conflict")
            _ = ExperimentWatcher(experiments: fixture.service.experiments, intervalSeconds: 600).look(now: fixture.clock.nowEpochSeconds)
            #expect(try await client.call(.post, "/v1/experiments/\(id)/hold", token: member, json: "{}").status == .forbidden)
            let held = try await client.call(.post, "/v1/experiments/\(id)/hold", token: admin, json: #"{"reason": "exam week"}"#)
            #expect(held.status == .ok)
            #expect(try field(held.object(), "ramp_held", as: Bool.self))
            #expect(try field(held.object(), "change_reason", as: String.self) == "exam week")
            #expect(try await client.call(.post, "/v1/experiments/\(id)/hold", token: admin, json: "{}").status == .conflict)
            let released = try await client.call(.post, "/v1/experiments/\(id)/release", token: admin, json: "{}")
            #expect(released.status == .ok)
            #expect(try !field(released.object(), "ramp_held", as: Bool.self))
            #expect(try field(released.object(), "change_reason", as: String.self) == "released through the API by user 1")
            // This experiment has no ramp: nothing to advance to.
            let advance = try await client.call(.post, "/v1/experiments/\(id)/advance", token: admin, json: "{}")
            #expect(advance.status == .conflict)
            // Hostile bodies: nothing changes, each with its own error.
            #expect(try await client.call(.post, "/v1/experiments/\(id)/hold", token: admin, json: #"{"reason": "#).status == .badRequest)
            #expect(try await client.call(.post, "/v1/experiments/\(id)/hold", token: admin, json: #"{"reason": "a\u0000b"}"#).status == .unprocessableContent)
            #expect(try await client.call(.post, "/v1/experiments/\(id)/hold", token: admin, json: #"{"reason": 12}"#).status == .badRequest)
            let long = "{\"reason\": \"\(String(repeating: "r", count: 501))\"}"
            #expect(try await client.call(.post, "/v1/experiments/\(id)/hold", token: admin, json: long).status == .unprocessableContent)
            #expect(try await client.call(.post, "/v1/experiments/nope/hold", token: admin, json: "{}").status == .notFound)
            let kinds = try fixture.service.experiments.changes(of: id).map(\.kind)
            #expect(kinds == [.started, .held, .released])
        }
    }

    @Test("shipping: admin only, an unknown variant changes nothing, twice is a conflict, and then every targeted user gets the variant unexposed")
    func ship() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        let member = try await fixture.token(2)
        let experiments = fixture.service.experiments
        // campus-comment-credit targets verified users; 3…80 verified, 81…90 not.
        let verified = try (3...80).map { try fixture.user(Int64($0)) }
        let unverified = try (81...90).map { try fixture.user(Int64($0), verified: false) }
        for user in verified { _ = try experiments.expose(user, to: "campus-comment-credit") }
        let exposedBefore = try experiments.store.exposures(of: "campus-comment-credit").count
        #expect(exposedBefore > 0)
        let path = "/v1/experiments/campus-comment-credit/ship"
        try await fixture.app().test(.router) { client in
            let forbidden = try await client.call(.post, path, token: member, json: #"{"variant": "treatment"}"#)
            #expect(forbidden.status == .forbidden)

            let unknown = try await client.call(.post, path, token: admin, json: #"{"variant": "winner", "reason": "it won"}"#)
            #expect(unknown.status == .notFound)
            #expect(try unknown.errorCode() == "variant_not_found")
            let unchanged = try await client.call(.get, "/v1/experiments/campus-comment-credit", token: admin).object()
            #expect(try field(unchanged, "status", as: String.self) == "running")
            #expect(try field(unchanged, "history", as: [Any].self).isEmpty)
            #expect(unchanged["shipped_variant"] == nil)
            #expect(try experiments.changes(of: "campus-comment-credit").isEmpty)

            let missing = try await client.call(.post, "/v1/experiments/nope/ship", token: admin, json: #"{"variant": "treatment"}"#)
            #expect(missing.status == .notFound)
            #expect(try missing.errorCode() == "experiment_not_found")

            let shipped = try await client.call(.post, path, token: admin, json: #"{"variant": "treatment", "reason": "700 brings comments"}"#)
            #expect(shipped.status == .ok)
            let view = try shipped.object()
            #expect(try field(view, "status", as: String.self) == "shipped")
            #expect(try field(view, "shipped_variant", as: String.self) == "treatment")
            #expect(try field(view, "traffic", as: Double.self) == 1)
            #expect(try field(view, "change_reason", as: String.self) == "700 brings comments")
            let history = try field(view, "history", as: [[String: Any]].self)
            #expect(history.count == 1)
            #expect(try field(history[0], "kind", as: String.self) == "shipped")
            #expect(try field(history[0], "variant", as: String.self) == "treatment")
            #expect(try field(history[0], "actor", as: String.self) == "admin:1")

            let again = try await client.call(.post, path, token: admin, json: #"{"variant": "control"}"#)
            #expect(again.status == .conflict)
            #expect(try again.errorCode() == "experiment_state_conflict")
            let still = try await client.call(.get, "/v1/experiments/campus-comment-credit", token: admin).object()
            #expect(try field(still, "shipped_variant", as: String.self) == "treatment")
            #expect(try field(still, "history", as: [Any].self).count == 1)
        }
        // Every targeted user now gets the shipped params, whatever their bucket; nobody else does,
        // and nothing more is exposed.
        for user in verified {
            let assignment = try experiments.expose(user, to: "campus-comment-credit")
            #expect(assignment.variant?.name == "treatment")
            #expect(assignment.variant?.parameters["min_credit"]?.description == "700")
            #expect(assignment.reason == .shipped && !assignment.exposes)
        }
        for user in unverified {
            #expect(try experiments.expose(user, to: "campus-comment-credit").variant == nil)
        }
        #expect(try experiments.store.exposures(of: "campus-comment-credit").count == exposedBefore)
    }

    @Test("the report is the analyzer's JSON and reading it stops nothing")
    func report() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        // Exposed users, so the report has arms and a segment breakdown (campus-comment-credit
        // declares new_user).
        for id in Int64(20)...Int64(39) {
            let user = try fixture.user(id)
            try fixture.service.experiments.store.recordExposure(
                experiment: "campus-comment-credit", user: user.id, variant: id % 2 == 0 ? "control" : "treatment",
                at: fixture.service.clock.nowEpochSeconds)
        }
        try await fixture.app().test(.router) { client in
            let response = try await client.call(.get, "/v1/experiments/campus-comment-credit/report", token: admin)
            #expect(response.status == .ok)
            let report = try response.object()
            #expect(try field(report, "experiment_id", as: String.self) == "campus-comment-credit")
            #expect(try field(report, "format_version", as: Int.self) == ExperimentReport.currentFormatVersion)
            #expect(report["metrics"] is [Any])
            let segments = try field(report, "segments", as: [[String: Any]].self)
            #expect(segments.map { $0["segment"] as? String } == ["new_user"])
            let values = try #require(segments.first?["values"] as? [[String: Any]])
            let users: [Int] = values.flatMap { ($0["users_per_variant"] as? [Int]) ?? [] }
            #expect(users.reduce(0, +) == 20)
            #expect(values.allSatisfy { $0["too_small"] as? Bool == true }, "ten users per arm is too few to judge")
            let tips = try #require(try field(report, "metrics", as: [[String: Any]].self).first { $0["id"] as? String == "tips_fen_per_user" })
            let cap = try #require(tips["cap"] as? [String: Any])
            #expect(cap["rule"] as? String == "p95 of non-zero values", "the tips metric ships capped")
            let status = try await client.call(.get, "/v1/experiments/campus-comment-credit", token: admin).object()
            #expect(try field(status, "status", as: String.self) != "stopped")
        }
    }
}
