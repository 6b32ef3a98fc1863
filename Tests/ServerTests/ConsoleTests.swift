import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Service
import Social
import Testing

@testable import Server

/// A browser's share of a console conversation: the cookies it was given, and the CSRF token of
/// the last page it read.
struct ConsoleBrowser {
    var cookies: [String: String] = [:]
    var csrf: String?

    mutating func take(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let (name, value) = (String(pair[0]), pair.count > 1 ? String(pair[1]) : "")
            cookies[name] = value.isEmpty ? nil : value
        }
        if let token = Self.csrf(in: String(buffer: response.body)) { csrf = token }
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    var cookieHeader: HTTPFields {
        cookies.isEmpty ? [:] : [.cookie: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }

    mutating func get(_ client: some TestClientProtocol, _ uri: String) async throws -> TestResponse {
        let response = try await client.executeRequest(uri: uri, method: .get, headers: cookieHeader, body: nil)
        take(response)
        return response
    }

    /// Posts a form; `csrf` is added unless `withCSRF` is false.
    mutating func post(_ client: some TestClientProtocol, _ uri: String, _ fields: [(String, String)], withCSRF: Bool = true) async throws -> TestResponse {
        var fields = fields
        if withCSRF, let csrf { fields.append(("csrf", csrf)) }
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers = cookieHeader
        headers[.contentType] = "application/x-www-form-urlencoded"
        let response = try await client.executeRequest(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        take(response)
        return response
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    /// Logs in with `token` from the login page; returns the login's response.
    mutating func logIn(_ client: some TestClientProtocol, token: String) async throws -> TestResponse {
        _ = try await get(client, "/console/login")
        return try await post(client, "/console/login", [("token", token)])
    }
}

@Suite("/console: log in with an admin token, session cookie, CSRF, escaping, actions through the service")
struct ConsoleTests {
    @Test("a page without a session sends the browser to log in; a user's token is refused; an admin's opens an HttpOnly SameSite session")
    func logIn() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        let member = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            var browser = ConsoleBrowser()
            let anonymous = try await browser.get(client, "/console")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location] == "/console/login")

            let refused = try await browser.logIn(client, token: member)
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("admin_required"))
            #expect(browser.cookies["quanzi_console"] == nil)
            #expect(try await browser.get(client, "/console").status == .seeOther)

            let forged = try await browser.post(client, "/console/login", [("token", admin), ("csrf", "not-the-form's")], withCSRF: false)
            #expect(forged.status == .forbidden)
            #expect(browser.cookies["quanzi_console"] == nil)

            let loggedIn = try await browser.logIn(client, token: admin)
            #expect(loggedIn.status == .seeOther)
            let cookie = try #require(loggedIn.headers[values: .setCookie].first { $0.hasPrefix("quanzi_console=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(!cookie.contains(admin))
            let list = try await browser.get(client, "/console")
            #expect(list.status == .ok)
            #expect(list.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            for spec in fixture.service.experiments.experiments.experiments {
                #expect(list.text.contains("id=\"experiment-\(spec.id)\""))
            }
            // The figures the script refreshes, for this session only; the script itself is plain text.
            let live = try await browser.get(client, "/console/live.json")
            #expect(live.status == .ok)
            let experiments = try field(try live.object(), "experiments", as: [[String: Any]].self)
            #expect(experiments.count == fixture.service.experiments.experiments.experiments.count)
            #expect(experiments.allSatisfy { $0["status"] is String && $0["exposed"] is [String: Any] })
            var stranger = ConsoleBrowser()
            #expect(try await stranger.get(client, "/console/live.json").status == .seeOther)
            let script = try await stranger.get(client, "/console/live.js")
            #expect(script.headers[.contentType]?.hasPrefix("text/javascript") == true && script.text.contains("textContent"))
            #expect(!script.text.contains("innerHTML"))
        }
    }

    @Test("stopping from the console needs the session's CSRF token, a reason and a confirmation; then the list and the API say stopped, by whom and why")
    func stop() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        let experiment = "campus-comment-credit"
        try await fixture.app().test(.router) { client in
            var browser = ConsoleBrowser()
            _ = try await browser.logIn(client, token: admin)
            _ = try await browser.get(client, "/console/experiments/\(experiment)")
            let path = "/console/experiments/\(experiment)/stop"

            let noToken = try await browser.post(client, path, [("reason", "x"), ("confirm", "yes")], withCSRF: false)
            #expect(noToken.status == .forbidden)
            #expect(noToken.text.contains("csrf_failed"))
            let wrongToken = try await browser.post(client, path, [("reason", "x"), ("confirm", "yes"), ("csrf", "guess")], withCSRF: false)
            #expect(wrongToken.status == .forbidden)
            let unconfirmed = try await browser.post(client, path, [("reason", "comments fell")])
            #expect(unconfirmed.status == .unprocessableContent)
            #expect(unconfirmed.text.contains("confirm"))
            let noReason = try await browser.post(client, path, [("reason", "  "), ("confirm", "yes")])
            #expect(noReason.status == .unprocessableContent)
            #expect(fixture.service.experiments.status(of: try #require(fixture.service.experiments.experiments.experiment(experiment))) == .running)

            let stopped = try await browser.post(client, path, [("reason", "comments fell <b>sharply</b>"), ("confirm", "yes")])
            #expect(stopped.status == .seeOther)
            let page = try await browser.get(client, try #require(stopped.headers[.location]))
            #expect(page.text.contains(#"data-status="stopped""#))
            #expect(page.text.contains("comments fell &lt;b&gt;sharply&lt;/b&gt;"))
            #expect(page.text.contains("admin:1"))
            let list = try await browser.get(client, "/console")
            #expect(list.text.contains(#"<span class="status stopped" data-status="stopped" data-live="status:campus-comment-credit">stopped</span>"#))
            // A crafted link cannot put its own words on the page: only known outcomes are shown.
            let crafted = try await browser.get(client, "/console/experiments/\(experiment)?done=Your+token+expired%2C+paste+it+at+evil.example")
            #expect(!crafted.text.contains("evil.example") && !crafted.text.contains("class=\"flash\""))

            let api = try await client.call(.get, "/v1/experiments/\(experiment)", token: admin).object()
            #expect(try field(api, "status", as: String.self) == "stopped")
            #expect(try field(api, "change_reason", as: String.self) == "comments fell <b>sharply</b>")
            let change = try #require(try fixture.service.experiments.changes(of: experiment).last)
            #expect(change.actor == "admin:1")
        }
    }

    @Test("the ramp form holds and releases a running ramp with a reason; what does not apply is refused on the page")
    func ramp() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        let experiment = "campus-comment-credit"
        _ = ExperimentWatcher(experiments: fixture.service.experiments, intervalSeconds: 600).look(now: fixture.clock.nowEpochSeconds)
        try await fixture.app().test(.router) { client in
            var browser = ConsoleBrowser()
            _ = try await browser.logIn(client, token: admin)
            let page = try await browser.get(client, "/console/experiments/\(experiment)")
            #expect(page.text.contains(#"value="hold""#) && !page.text.contains(#"value="release""#))
            #expect(!page.text.contains(#"value="advance""#), "no ramp: nothing to advance to")
            let path = "/console/experiments/\(experiment)/ramp"
            let held = try await browser.post(client, path, [("action", "hold"), ("reason", "exam week"), ("confirm", "yes")])
            #expect(held.status == .seeOther)
            let after = try await browser.get(client, try #require(held.headers[.location]))
            #expect(after.text.contains(", held") && after.text.contains(#"value="release""#))
            let advance = try await browser.post(client, path, [("action", "advance"), ("reason", "sure"), ("confirm", "yes")])
            #expect(advance.status == .conflict)
            #expect(advance.text.contains("experiment_state_conflict"))
            let unknown = try await browser.post(client, path, [("action", "pause"), ("reason", "x"), ("confirm", "yes")])
            #expect(unknown.status == .unprocessableContent)
            #expect(try fixture.service.experiments.changes(of: experiment).map(\.kind) == [.started, .held])
            #expect(try fixture.service.experiments.changes(of: experiment).last?.actor == "admin:1")
        }
    }

    @Test("forcing a user from the console records who and why, shows in the timeline, and refuses an unknown user or variant")
    func force() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        try fixture.user(5)
        let experiment = "campus-comment-credit"
        try await fixture.app().test(.router) { client in
            var browser = ConsoleBrowser()
            _ = try await browser.logIn(client, token: admin)
            _ = try await browser.get(client, "/console/experiments/\(experiment)")
            let path = "/console/experiments/\(experiment)/force"
            let forced = try await browser.post(client, path, [("user", "5"), ("variant", "treatment"), ("reason", "QA of the new rule"), ("confirm", "yes")])
            #expect(forced.status == .seeOther)
            let page = try await browser.get(client, try #require(forced.headers[.location]))
            #expect(page.text.contains("forced user 5 into treatment") && page.text.contains("QA of the new rule"))
            #expect(fixture.service.experiments.forcedVariant(experiment: experiment, user: UserID(5)) == "treatment")
            let record = try #require(try fixture.service.experiments.store.forcedUsers(of: experiment).first)
            #expect(record.actor == "admin:1" && record.reason == "QA of the new rule")
            let unknownUser = try await browser.post(client, path, [("user", "99999"), ("variant", "treatment"), ("reason", "x"), ("confirm", "yes")])
            #expect(unknownUser.status == .notFound)
            let unknownVariant = try await browser.post(client, path, [("user", "5"), ("variant", "<b>v</b>"), ("reason", "x"), ("confirm", "yes")])
            #expect(unknownVariant.status == .notFound)
            #expect(unknownVariant.text.contains("&lt;b&gt;v&lt;/b&gt;") && !unknownVariant.text.contains("<b>v</b>"))
            #expect(try fixture.service.experiments.store.forcedUsers(of: experiment).count == 1)
        }
    }

    @Test("hostile forms and queries get a clear error and change nothing: wrong media type, too large, bad encoding, nested names, control characters, numbers out of range, a forged cookie")
    func hostileInput() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        try fixture.user(5)
        let experiment = "campus-comment-credit"
        try await fixture.app().test(.router) { client in
            var browser = ConsoleBrowser()
            _ = try await browser.logIn(client, token: admin)
            _ = try await browser.get(client, "/console/experiments/\(experiment)")
            let csrf = try #require(browser.csrf)
            let stop = "/console/experiments/\(experiment)/stop"
            func raw(_ body: String, contentType: String = "application/x-www-form-urlencoded") async throws -> TestResponse {
                var headers = browser.cookieHeader
                headers[.contentType] = contentType
                return try await client.executeRequest(uri: stop, method: .post, headers: headers, body: ByteBuffer(string: body))
            }
            let json = try await raw(#"{"reason": "x", "confirm": "yes", "csrf": "\#(csrf)"}"#, contentType: "application/json")
            #expect(json.status == .unsupportedMediaType)
            let huge = try await raw("csrf=\(csrf)&confirm=yes&reason=" + String(repeating: "a", count: 20_000))
            #expect(huge.status == .contentTooLarge)
            let badEscape = try await raw("csrf=\(csrf)&confirm=yes&reason=%zz")
            #expect(badEscape.status == .badRequest)
            #expect(badEscape.text.contains("invalid_request"))
            let nested = try await raw("csrf=\(csrf)&confirm=yes&reason[a]=x")
            #expect(nested.status == .badRequest)
            let nul = try await browser.post(client, stop, [("reason", "looks\u{0}fine"), ("confirm", "yes")])
            #expect(nul.status == .unprocessableContent)
            let long = try await browser.post(client, stop, [("reason", String(repeating: "r", count: 501)), ("confirm", "yes")])
            #expect(long.status == .unprocessableContent)
            #expect(try fixture.service.experiments.changes(of: experiment).isEmpty, "nothing was stopped")

            let force = "/console/experiments/\(experiment)/force"
            for user in ["99999999999999999999999", "-5", "0", "5 OR 1=1", ""] {
                let refused = try await browser.post(client, force, [("user", user), ("variant", "treatment"), ("reason", "qa"), ("confirm", "yes")])
                #expect(refused.status == .unprocessableContent, "user '\(user)'")
            }
            #expect(try fixture.service.experiments.store.forcedUsers(of: experiment).isEmpty)

            for query in ["user=1e9999&action=post&circle=campus-diary", "user=5&action=post&circle=campus-diary&post=-1",
                          "user=5&action=post&circle=campus-diary&post=99999999999999999999", "user=5&action=fly&circle=campus-diary"] {
                #expect(try await browser.get(client, "/console/why?\(query)").status == .unprocessableContent, "\(query)")
            }
            #expect(try await browser.get(client, "/console/why?user=5&action=comment&circle=campus-diary&post=424242").status == .notFound)

            var forged = ConsoleBrowser()
            forged.cookies["quanzi_console"] = String(repeating: "A", count: 200)
            #expect(try await forged.get(client, "/console").status == .seeOther)
            forged.cookies["quanzi_console"] = "not-a-session"
            #expect(try await forged.post(client, stop, [("reason", "x"), ("confirm", "yes"), ("csrf", csrf)], withCSRF: false).status == .seeOther)
            #expect(try fixture.service.experiments.changes(of: experiment).isEmpty)
        }
    }

    @Test("the why form answers as :why does, and a post's script text shows as text")
    func why() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        try fixture.user(42, verified: false)
        try fixture.user(7)
        let post = try fixture.service.createPost(by: UserID(7), in: CircleID("campus-diary"), body: "<script>alert('owned')</script>")
        try await fixture.app().test(.router) { client in
            var browser = ConsoleBrowser()
            _ = try await browser.logIn(client, token: admin)
            let denied = try await browser.get(client, "/console/why?user=42&action=post&circle=campus-diary")
            #expect(denied.status == .ok)
            let explanation = try fixture.service.explainRule(circle: CircleID("campus-diary"), action: .post, userID: UserID(42))
            #expect(!explanation.allowed)
            #expect(denied.text.contains(try #require(explanation.location).description))
            for read in explanation.reads { #expect(denied.text.contains(Self.escaped(read)), "missing \(read)") }

            let onPost = try await browser.get(client, "/console/why?user=7&action=comment&circle=campus-diary&post=\(post.id)")
            #expect(onPost.text.contains("&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;"))
            #expect(!onPost.text.contains("<script>alert"))

            let badUser = try await browser.get(client, "/console/why?user=abc&action=post&circle=campus-diary")
            #expect(badUser.status == .unprocessableContent)
            #expect(badUser.text.contains("invalid_argument"))
            let badCircle = try await browser.get(client, "/console/why?user=42&action=post&circle=%3Cscript%3E")
            #expect(badCircle.status == .notFound)
            #expect(!badCircle.text.contains("<script>"))
        }
    }

    @Test("logging out, revoking the token and the session's age each end the session")
    func sessionEnds() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        try await fixture.app().test(.router) { client in
            var browser = ConsoleBrowser()
            _ = try await browser.logIn(client, token: admin)
            let kept = browser
            #expect(try await browser.get(client, "/console/health").status == .ok)
            let out = try await browser.post(client, "/console/logout", [])
            #expect(out.status == .seeOther)
            var replay = kept
            #expect(try await replay.get(client, "/console/health").status == .seeOther, "a logged-out session's cookie must not work")

            var second = ConsoleBrowser()
            _ = try await second.logIn(client, token: admin)
            #expect(try await second.get(client, "/console/health").status == .ok)
            fixture.clock.advance(bySeconds: ConsoleSessions.idleSeconds)
            #expect(try await second.get(client, "/console/health").status == .seeOther, "an idle session expires")

            var third = ConsoleBrowser()
            _ = try await third.logIn(client, token: admin)
            let revoke = try await client.call(.delete, "/v1/me/token", token: admin)
            #expect(revoke.status.code < 300)
            #expect(try await third.get(client, "/console/health").status == .seeOther, "a revoked token ends its sessions")
        }
    }

    @Test("circles show each plugin's source with line numbers and its tests; health verifies the ledger on demand")
    func circlesAndHealth() async throws {
        let fixture = try APIFixture()
        let admin = try await fixture.token(1, admin: true)
        try await fixture.app().test(.router) { client in
            var browser = ConsoleBrowser()
            _ = try await browser.logIn(client, token: admin)
            let circles = try await browser.get(client, "/console/circles")
            for circle in fixture.service.plugins.circles { #expect(circles.text.contains("/console/circles/\(circle.id)")) }
            #expect(circles.text.contains(" passed, 0 failed"))
            let diary = try await browser.get(client, "/console/circles/campus-diary")
            let definition = try #require(fixture.service.plugins.circle(CircleID("campus-diary")))
            for location in definition.ruleLocations.values { #expect(diary.text.contains("id=\"L\(location.line)\" class=\"hit\"")) }
            #expect(try await browser.get(client, "/console/circles/nope").status == .notFound)

            let health = try await browser.get(client, "/console/health")
            #expect(health.text.contains("Not verified on this page yet"))
            let verified = try await browser.post(client, "/console/health/verify", [])
            #expect(verified.status == .ok)
            #expect(verified.text.contains("ledger verify: consistent"))
            #expect(verified.text.contains("data-figure="))
        }
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
