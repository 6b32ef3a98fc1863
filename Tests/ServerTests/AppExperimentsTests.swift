import Core
import Experiments
import Foundation
import HTTPTypes
import HummingbirdTesting
import LuaHost
import NIOCore
import Service
import Social
import Testing

@testable import Server

@Suite("/v1/me/experiments and /v1/me/exposures: what an app applies, and its exposure reports")
struct AppExperimentsTests {
    static let feed = "feed-affinity-weight"
    static let campus = "campus-comment-credit"

    /// The first of users 2… (created with the fixture's defaults: verified) whose assignment in
    /// `experiment` has `reason`.
    static func user(in experiment: String, reason: (ExperimentAssignment.Reason) -> Bool, fixture: APIFixture, verified: Bool = true)
        throws -> UserProfile
    {
        for id in Int64(2)...2_000 {
            let user = try fixture.service.users.user(UserID(id)) ?? fixture.user(id, verified: verified)
            guard user.verified == verified else { continue }
            if reason(try fixture.service.experiments.assign(user, to: experiment).reason) { return user }
        }
        throw QuanziError(.notFound, "no user with that assignment among 2…2000")
    }

    static func entries(_ response: TestResponse) throws -> [[String: Any]] {
        try field(try response.object(), "experiments", as: [[String: Any]].self)
    }

    static func exposureCount(_ fixture: APIFixture) throws -> Int {
        try fixture.service.experiments.store.allExposureKeys().count
    }

    @Test("reading lists each running experiment the caller is in, with typed params, phase and file version, and logs no exposure")
    func readingLogsNothing() async throws {
        let fixture = try APIFixture()
        let experiments = fixture.service.experiments
        let user = try Self.user(in: Self.feed, reason: { $0 == .assigned }, fixture: fixture)
        let token = try await fixture.token(user.id.rawValue)
        let assigned = try experiments.assign(user, to: Self.feed)
        let expected = try experiments.experiments.experiments.map(\.id).filter { try experiments.assign(user, to: $0).reason == .assigned }.sorted()
        try await fixture.app().test(.router) { client in
            for _ in 0..<3 {
                let response = try await client.call(.get, "/v1/me/experiments", token: token)
                #expect(response.status == .ok)
                let entries = try Self.entries(response)
                #expect(entries.compactMap { $0["experiment_id"] as? String } == expected)
                let entry = try #require(entries.first { $0["experiment_id"] as? String == Self.feed })
                #expect(try field(entry, "variant", as: String.self) == assigned.variant?.name)
                let params = try field(entry, "params", as: [String: Any].self)
                #expect(params.keys.sorted() == ["w_affinity"])
                #expect(try field(params, "w_affinity", as: Double.self) == (assigned.variant?.name == "treatment" ? 3.0 : 1.5))
                #expect(try field(entry, "phase", as: Int.self) == 1)
                let version = try #require(experiments.experiments.version(ofExperiment: Self.feed))
                #expect(try field(entry, "version", as: String.self) == version)
                #expect(try field(entry, "forced", as: Bool.self) == false)
                #expect(try field(entry, "shipped", as: Bool.self) == false)
            }
        }
        #expect(try Self.exposureCount(fixture) == 0)
        #expect(try experiments.store.exposures(of: Self.feed).isEmpty)
    }

    @Test("a user outside an experiment (traffic, or targeting though the bucket is inside) sees no entry for it, and reporting it logs nothing")
    func notTargeted() async throws {
        let fixture = try APIFixture()
        let experiments = fixture.service.experiments
        // campus-comment-credit targets verified users: this one's bucket is inside the traffic.
        let unverified = try Self.user(in: Self.campus, reason: { $0 == .notTargeted }, fixture: fixture, verified: false)
        #expect(try experiments.assign(unverified, to: Self.campus).bucket != nil)
        let outside = try Self.user(in: Self.feed, reason: { $0 == .outsideTraffic || $0 == .notInLayerSlice }, fixture: fixture)
        try await fixture.app().test(.router) { client in
            for (user, experiment) in [(unverified, Self.campus), (outside, Self.feed)] {
                let token = try await fixture.token(user.id.rawValue)
                let ids = try Self.entries(try await client.call(.get, "/v1/me/experiments", token: token)).compactMap { $0["experiment_id"] as? String }
                #expect(!ids.contains(experiment), "user \(user.id) in \(experiment)")
                let report = try await client.call(.post, "/v1/me/exposures", token: token, json: #"{"experiment_id": "\#(experiment)"}"#)
                #expect(report.status == .ok)
                let body = try report.object()
                #expect(try field(body, "logged", as: Bool.self) == false)
                #expect(try field(body, "reason", as: String.self) == "not_in_experiment")
                #expect(try field(body, "experiment_id", as: String.self) == experiment)
                #expect(body["variant"] == nil)
            }
        }
        #expect(try Self.exposureCount(fixture) == 0)
    }

    @Test("a report logs the first exposure with the served variant; the same report again answers already_exposed and writes no second row")
    func reportTwiceLogsOnce() async throws {
        let fixture = try APIFixture()
        let experiments = fixture.service.experiments
        let user = try Self.user(in: Self.feed, reason: { $0 == .assigned }, fixture: fixture)
        let variant = try #require(try experiments.assign(user, to: Self.feed).variant?.name)
        let token = try await fixture.token(user.id.rawValue)
        try await fixture.app().test(.router) { client in
            let first = try await client.call(.post, "/v1/me/exposures", token: token, json: #"{"experiment_id": "feed-affinity-weight"}"#)
            #expect(first.status == .ok)
            let logged = try first.object()
            #expect(try field(logged, "logged", as: Bool.self) == true)
            #expect(try field(logged, "variant", as: String.self) == variant)
            #expect(logged["reason"] == nil)
            let rows = try experiments.store.exposures(of: Self.feed)
            #expect(rows.map(\.userID) == [user.id])
            #expect(rows.first?.variant == variant)
            #expect(rows.first?.firstExposedAtEpochSeconds == fixture.clock.nowEpochSeconds)

            fixture.clock.advance(bySeconds: 60)
            let again = try await client.call(.post, "/v1/me/exposures", token: token, json: #"{"experiment_id": "feed-affinity-weight"}"#)
            #expect(again.status == .ok)
            let repeated = try again.object()
            #expect(try field(repeated, "logged", as: Bool.self) == false)
            #expect(try field(repeated, "reason", as: String.self) == "already_exposed")
            #expect(try field(repeated, "variant", as: String.self) == variant)
            // Still one row, from the first report's time.
            #expect(try experiments.store.exposures(of: Self.feed).map(\.firstExposedAtEpochSeconds) == [APIFixture.start])
        }
        #expect(try Self.exposureCount(fixture) == 1)
    }

    @Test("an unknown experiment is 404 experiment_not_found; a draft answers not_running; neither writes")
    func unknownAndDraft() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            let missing = try await client.call(.post, "/v1/me/exposures", token: token, json: #"{"experiment_id": "no-such-experiment"}"#)
            #expect(missing.status == .notFound)
            #expect(try missing.errorCode() == "experiment_not_found")
            let draft = try await client.call(.post, "/v1/me/exposures", token: token, json: #"{"experiment_id": "campus-open-posting"}"#)
            #expect(draft.status == .ok)
            #expect(try field(try draft.object(), "reason", as: String.self) == "not_running")
            let ids = try Self.entries(try await client.call(.get, "/v1/me/experiments", token: token)).compactMap { $0["experiment_id"] as? String }
            #expect(!ids.contains("campus-open-posting"))
        }
        #expect(try Self.exposureCount(fixture) == 0)
    }

    @Test("a stopped experiment disappears from the list (the app keeps its defaults), its tag changes, and a report answers not_running")
    func stoppedDisappears() async throws {
        let fixture = try APIFixture()
        let user = try Self.user(in: Self.feed, reason: { $0 == .assigned }, fixture: fixture)
        let token = try await fixture.token(user.id.rawValue)
        try await fixture.app().test(.router) { client in
            let before = try await client.call(.get, "/v1/me/experiments", token: token)
            #expect(try Self.entries(before).contains { $0["experiment_id"] as? String == Self.feed })
            let tag = try #require(before.headers[.eTag])

            try fixture.service.experiments.stop(Self.feed, personReason: "likes fell", actor: "admin:1")
            let after = try await client.call(.get, "/v1/me/experiments", token: token, headers: [.ifNoneMatch: tag])
            #expect(after.status == .ok)
            #expect(try !Self.entries(after).contains { $0["experiment_id"] as? String == Self.feed })
            #expect(after.headers[.eTag] != tag)

            let report = try await client.call(.post, "/v1/me/exposures", token: token, json: #"{"experiment_id": "feed-affinity-weight"}"#)
            let body = try report.object()
            #expect(try field(body, "logged", as: Bool.self) == false)
            #expect(try field(body, "reason", as: String.self) == "not_running")
            #expect(body["variant"] == nil)
        }
        #expect(try Self.exposureCount(fixture) == 0)
    }

    @Test("a QA-forced user is listed as forced, and reporting it logs nothing (forced users are never analysed)")
    func forced() async throws {
        let fixture = try APIFixture()
        let user = try Self.user(in: Self.feed, reason: { $0 == .outsideTraffic || $0 == .notInLayerSlice }, fixture: fixture)
        try fixture.service.experiments.force(user.id, into: "treatment", experiment: Self.feed)
        let token = try await fixture.token(user.id.rawValue)
        try await fixture.app().test(.router) { client in
            let entry = try #require(
                try Self.entries(try await client.call(.get, "/v1/me/experiments", token: token)).first { $0["experiment_id"] as? String == Self.feed })
            #expect(try field(entry, "variant", as: String.self) == "treatment")
            #expect(try field(entry, "forced", as: Bool.self) == true)
            #expect(try field(try field(entry, "params", as: [String: Any].self), "w_affinity", as: Double.self) == 3)
            let report = try await client.call(.post, "/v1/me/exposures", token: token, json: #"{"experiment_id": "feed-affinity-weight"}"#).object()
            #expect(try field(report, "logged", as: Bool.self) == false)
            #expect(try field(report, "reason", as: String.self) == "forced")
            #expect(try field(report, "variant", as: String.self) == "treatment")
        }
        #expect(try Self.exposureCount(fixture) == 0)
    }

    @Test("a shipped variant is listed as shipped for every targeted user, whatever their bucket, and reporting it logs nothing")
    func shipped() async throws {
        let fixture = try APIFixture()
        let outside = try Self.user(in: Self.campus, reason: { $0 == .outsideTraffic || $0 == .notInLayerSlice }, fixture: fixture)
        let unverified = try fixture.user(5_000, verified: false)
        _ = try fixture.service.experiments.ship(Self.campus, variant: "treatment", personReason: "700 brings comments", actor: "admin:1")
        try await fixture.app().test(.router) { client in
            let token = try await fixture.token(outside.id.rawValue)
            let entry = try #require(
                try Self.entries(try await client.call(.get, "/v1/me/experiments", token: token)).first { $0["experiment_id"] as? String == Self.campus })
            #expect(try field(entry, "variant", as: String.self) == "treatment")
            #expect(try field(entry, "shipped", as: Bool.self) == true)
            #expect(try field(entry, "forced", as: Bool.self) == false)
            #expect(try field(try field(entry, "params", as: [String: Any].self), "min_credit", as: Int.self) == 700)
            let report = try await client.call(.post, "/v1/me/exposures", token: token, json: #"{"experiment_id": "campus-comment-credit"}"#).object()
            #expect(try field(report, "logged", as: Bool.self) == false)
            #expect(try field(report, "reason", as: String.self) == "shipped")
            #expect(try field(report, "variant", as: String.self) == "treatment")

            let untargeted = try await fixture.token(unverified.id.rawValue)
            let ids = try Self.entries(try await client.call(.get, "/v1/me/experiments", token: untargeted)).compactMap { $0["experiment_id"] as? String }
            #expect(!ids.contains(Self.campus))
        }
        #expect(try Self.exposureCount(fixture) == 0)
    }

    @Test("the list has a strong ETag of its bytes and private, no-cache; If-None-Match naming it is 304 with no body")
    func entityTags() async throws {
        let fixture = try APIFixture()
        let user = try Self.user(in: Self.feed, reason: { $0 == .assigned }, fixture: fixture)
        let token = try await fixture.token(user.id.rawValue)
        let other = try await fixture.token(try Self.user(in: Self.feed, reason: { $0 != .assigned }, fixture: fixture).id.rawValue)
        try await fixture.app().test(.router) { client in
            let full = try await client.call(.get, "/v1/me/experiments", token: token)
            #expect(full.status == .ok)
            let tag = try #require(full.headers[.eTag])
            #expect(tag == ConditionalGet.entityTag(of: Array(buffer: full.body)))
            #expect(tag.wholeMatch(of: /"[0-9a-f]{32}"/) != nil)
            #expect(full.headers[.cacheControl] == "private, no-cache")
            #expect(full.headers[.contentType] == "application/json; charset=utf-8")
            // The same answer, the same tag; another user's answer, another tag.
            #expect(try await client.call(.get, "/v1/me/experiments", token: token).headers[.eTag] == tag)
            #expect(try await client.call(.get, "/v1/me/experiments", token: other).headers[.eTag] != tag)

            for header in [tag, "W/\(tag)", "\"0123\", \(tag)", " \(tag) ", "*", "\"0123\",W/\(tag)"] {
                let cached = try await client.call(.get, "/v1/me/experiments", token: token, headers: [.ifNoneMatch: header])
                #expect(cached.status == .notModified, "If-None-Match: \(header)")
                #expect(cached.body.readableBytes == 0)
                #expect(cached.headers[.eTag] == tag)
                #expect(cached.headers[.cacheControl] == "private, no-cache")
            }
            // Other tags, the tag without its quotes, and lists that stop parsing before it.
            let unquoted = String(tag.dropFirst().dropLast())
            for header in ["\"0123\"", unquoted, "\"0123\" \(tag)", "junk, \(tag)", "\(tag.dropLast())", ""] {
                let fresh = try await client.call(.get, "/v1/me/experiments", token: token, headers: [.ifNoneMatch: header])
                #expect(fresh.status == .ok, "If-None-Match: \(header)")
                #expect(fresh.body.readableBytes == full.body.readableBytes)
            }
        }
    }

    @Test("If-None-Match lists parse as RFC 9110 says: tags with W/, commas inside quotes, and nothing after a malformed element")
    func ifNoneMatchLists() {
        #expect(ConditionalGet.listedTags(in: #""a", W/"b",,"c,d""#).map(String.init) == [#""a""#, #""b""#, #""c,d""#])
        #expect(ConditionalGet.listedTags(in: #""a" "b""#).map(String.init) == [#""a""#])
        #expect(ConditionalGet.listedTags(in: #""open"#).isEmpty)
        #expect(ConditionalGet.listedTags(in: "").isEmpty)
        #expect(ConditionalGet.ifNoneMatch([#""x""#, #"W/"y""#], matches: #""y""#))
        #expect(!ConditionalGet.ifNoneMatch([#""x""#], matches: #""y""#))
        #expect(ConditionalGet.ifNoneMatch([" * "], matches: #""y""#))
    }

    @Test("hostile exposure bodies get a specific 4xx and log nothing")
    func hostileBodies() async throws {
        let fixture = try APIFixture()
        let user = try Self.user(in: Self.feed, reason: { $0 == .assigned }, fixture: fixture)
        let token = try await fixture.token(user.id.rawValue)
        let cases: [(String, HTTPResponse.Status, String)] = [
            (#"{"experiment_id": "feed-affinity-weight", "variant": "treatment"}"#, .badRequest, "invalid_request"),
            (#"{"experiment_id": "feed-affinity-weight", "experiment_id": "campus-comment-credit"}"#, .badRequest, "duplicate_key"),
            (#"{"experiment_id": 7}"#, .badRequest, "invalid_request"),
            (#"{"experiment_id": null}"#, .badRequest, "invalid_request"),
            (#"{"experiment": "feed-affinity-weight"}"#, .badRequest, "invalid_request"),
            (#"{}"#, .badRequest, "invalid_request"),
            (#"["feed-affinity-weight"]"#, .badRequest, "invalid_request"),
            (#""feed-affinity-weight""#, .badRequest, "invalid_request"),
            (#"{"experiment_id": "feed-affinity-weight""#, .badRequest, "malformed_json"),
            (#"{"experiment_id": "feed-affinity-weight\u0000"}"#, .badRequest, "invalid_request"),
            (#"{"experiment_id": "feed\nweight"}"#, .badRequest, "invalid_request"),
            (#"{"experiment_id": "Feed-Affinity-Weight"}"#, .badRequest, "invalid_request"),
            (#"{"experiment_id": "-feed"}"#, .badRequest, "invalid_request"),
            (#"{"experiment_id": ""}"#, .badRequest, "invalid_request"),
            ("{\"experiment_id\": \"\(String(repeating: "a", count: 65))\"}", .badRequest, "invalid_request"),
            ("{\"experiment_id\": \"\(String(repeating: "a", count: 100_000))\"}", .contentTooLarge, "body_too_large"),
        ]
        try await fixture.app().test(.router) { client in
            for (body, status, code) in cases {
                let response = try await client.call(.post, "/v1/me/exposures", token: token, json: body)
                #expect(response.status == status, "\(body.prefix(80))")
                #expect(try response.errorCode() == code, "\(body.prefix(80))")
            }
            let unknownField = try await client.call(
                .post, "/v1/me/exposures", token: token, json: #"{"experiment_id": "feed-affinity-weight", "variant": "treatment"}"#)
            let message = try #require((try unknownField.object()["error"] as? [String: Any])?["message"] as? String)
            #expect(message == "unknown field 'variant' (known: experiment_id)")
            let plain = try await client.executeRequest(
                uri: "/v1/me/exposures", method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "text/plain"],
                body: ByteBuffer(string: #"{"experiment_id": "feed-affinity-weight"}"#))
            #expect(plain.status == .unsupportedMediaType)
            for (method, path) in [(HTTPRequest.Method.get, "/v1/me/experiments"), (.post, "/v1/me/exposures")] {
                let anonymous = try await client.call(method, path, json: method == .post ? #"{"experiment_id": "feed-affinity-weight"}"# : nil)
                #expect(anonymous.status == .unauthorized, "\(path)")
            }
        }
        #expect(try Self.exposureCount(fixture) == 0)
    }

    @Test("the OpenAPI document describes both routes, and its examples are what they send and take")
    func documented() async throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try field(document, "paths", as: [String: [String: Any]].self)
        let list = try #require(paths["/v1/me/experiments"]?["get"] as? [String: Any])
        let report = try #require(paths["/v1/me/exposures"]?["post"] as? [String: Any])
        func json(_ operation: [String: Any], _ keys: [String]) -> Any? {
            keys.reduce(operation as Any?) { ($0 as? [String: Any])?[$1] }
        }
        let listExample = try #require(json(list, ["responses", "200", "content", "application/json", "example", "experiments"]) as? [[String: Any]])
        let requestExample = try #require(json(report, ["requestBody", "content", "application/json", "example"]) as? [String: Any])
        let responseExamples = try #require(json(report, ["responses", "200", "content", "application/json", "examples"]) as? [String: [String: Any]])
        // What the closure below compares, as Sendable values.
        let entryKeys = Set(try #require(listExample.first).keys)
        #expect(listExample.allSatisfy { Set($0.keys) == entryKeys })
        let loggedKeys = Set(try #require(responseExamples["logged"]?["value"] as? [String: Any]).keys)
        let againKeys = Set(try #require(responseExamples["again"]?["value"] as? [String: Any]).keys)
        let body = String(decoding: try JSONSerialization.data(withJSONObject: requestExample), as: UTF8.self)

        let fixture = try APIFixture()
        let user = try Self.user(in: Self.feed, reason: { $0 == .assigned }, fixture: fixture)
        let token = try await fixture.token(user.id.rawValue)
        try await fixture.app().test(.router) { client in
            let entries = try Self.entries(try await client.call(.get, "/v1/me/experiments", token: token))
            #expect(!entries.isEmpty)
            #expect(entries.allSatisfy { Set($0.keys) == entryKeys })
            let first = try await client.call(.post, "/v1/me/exposures", token: token, json: body).object()
            #expect(try field(first, "logged", as: Bool.self) == true)
            #expect(Set(first.keys) == loggedKeys)
            let again = try await client.call(.post, "/v1/me/exposures", token: token, json: body).object()
            #expect(Set(again.keys) == againKeys)
        }
    }
}
