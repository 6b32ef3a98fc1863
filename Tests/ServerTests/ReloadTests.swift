import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import LuaHost
import Service
import Social
import Testing

@testable import Server

/// Copies of the repository's plugins and experiments in a temporary folder, to edit and reload.
final class EditableScripts: Sendable {
    let root: URL
    let folders: ScriptFolders

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("quanzi-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for folder in ["plugins", "experiments"] {
            try FileManager.default.copyItem(
                atPath: APIFixture.repository.appendingPathComponent(folder).path, toPath: root.appendingPathComponent(folder).path)
        }
        folders = ScriptFolders(plugins: root.appendingPathComponent("plugins").path, experiments: root.appendingPathComponent("experiments").path)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func write(_ folder: String, _ name: String, _ text: String) throws {
        try text.write(to: root.appendingPathComponent(folder).appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func path(_ folder: String, _ name: String) -> String { root.appendingPathComponent(folder).appendingPathComponent(name).path }

    /// The set version the folders hold now.
    func setVersion() throws -> String {
        let loaded = try folders.load()
        return ScriptVersions(plugins: loaded.plugins, experiments: loaded.experiments).setVersion
    }

    /// A circle whose comment rule always denies, with `reason`: which version served a comment
    /// shows in its answer.
    static func probe(reason: String) -> String {
        """
        return quanzi.circle {
          id = "probe",
          title = "Probe",
          rules = {
            view = function(user, circle, post) return true end,
            post = function(user, circle, post) return true end,
            comment = function(user, circle, post) return false, "\(reason) in " .. circle.title end,
            like = function(user, circle, post) return true end,
            report = function(user, circle, post) return true end,
          },
        }
        """
    }
}

@Suite("reloading scripts through the API")
struct ReloadTests {
    static let scriptsHeader = HTTPField.Name("Quanzi-Scripts")!

    @Test("a broken plugin is refused with every problem as file and line; the old set keeps serving")
    func brokenPluginRefused() async throws {
        let scripts = try EditableScripts()
        let fixture = try APIFixture(scriptFolders: scripts.folders)
        let admin = try await fixture.token(1, admin: true)
        let before = try scripts.setVersion()
        try scripts.write("plugins", "broken.lua", "return quanzi.circle {\n  id = \"broken\",\n  title = \"Broken\",\n  rules = { view = 42 },\n}\n")
        try scripts.write("experiments", "bad.lua", "return quanzi.experiment { id = \"bad\" }\n")
        try await fixture.app().test(.router) { client in
            let response = try await client.call(.post, "/v1/admin/reload", token: admin)
            #expect(response.status == .unprocessableContent)
            #expect(try response.errorCode() == "reload_refused")
            let error = try #require(try response.object()["error"] as? [String: Any])
            let problems = try #require(error["problems"] as? [[String: Any]])
            #expect(problems.contains { $0["file"] as? String == scripts.path("plugins", "broken.lua") && $0["line"] as? Int == 4 })
            #expect(problems.contains { $0["file"] as? String == scripts.path("experiments", "bad.lua") && ($0["line"] as? Int ?? 0) >= 1 })
            #expect(problems.allSatisfy { ($0["message"] as? String)?.isEmpty == false })
            #expect(response.headers[Self.scriptsHeader] == before)
            // Still serving the old set.
            let circles = try await client.call(.get, "/v1/circles", token: admin)
            #expect(circles.status == .ok)
            #expect(circles.headers[Self.scriptsHeader] == before)
            #expect(!circles.text.contains("broken"))
        }
    }

    @Test("a user's token may not reload or list the scripts")
    func adminOnly() async throws {
        let scripts = try EditableScripts()
        let fixture = try APIFixture(scriptFolders: scripts.folders)
        let user = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            let reload = try await client.call(.post, "/v1/admin/reload", token: user)
            #expect(reload.status == .forbidden)
            let list = try await client.call(.get, "/v1/admin/plugins", token: user)
            #expect(list.status == .forbidden)
            let anonymous = try await client.call(.post, "/v1/admin/reload")
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test("a reload answers what changed; the plugins list, /metrics and the header follow it")
    func reloadListsAndMetrics() async throws {
        let scripts = try EditableScripts()
        let fixture = try APIFixture(scriptFolders: scripts.folders)
        let admin = try await fixture.token(1, admin: true)
        let first = try scripts.setVersion()
        try await fixture.app().test(.router) { client in
            let listed = try await client.call(.get, "/v1/admin/plugins", token: admin).object()
            #expect(listed["set_version"] as? String == first)
            #expect(listed["generation"] as? Int == 1)
            let files = try #require(listed["files"] as? [[String: Any]])
            let diary = try #require(files.first { $0["file"] as? String == "campus-diary.lua" })
            let diaryText = try String(contentsOfFile: scripts.path("plugins", "campus-diary.lua"), encoding: .utf8)
            #expect(diary["version"] as? String == PluginSource.version(of: diaryText))
            #expect(diary["folder"] as? String == "plugins")
            #expect(files.contains { $0["file"] as? String == "campus-comment-credit.lua" && $0["folder"] as? String == "experiments" })
            var metrics = try await client.call(.get, "/metrics").text
            #expect(metrics.contains("quanzi_plugin_version_info{folder=\"plugins\",file=\"campus-diary.lua\",version=\"\(PluginSource.version(of: diaryText))\"} 1"))
            #expect(metrics.contains("quanzi_script_generation 1"))

            let unchanged = try await client.call(.post, "/v1/admin/reload", token: admin).object()
            #expect(unchanged["status"] as? String == "unchanged")
            #expect((unchanged["changes"] as? [Any])?.isEmpty == true)

            let edited = diaryText + "\n-- edited\n"
            try scripts.write("plugins", "campus-diary.lua", edited)
            let response = try await client.call(.post, "/v1/admin/reload", token: admin)
            #expect(response.status == .ok)
            let reload = try response.object()
            #expect(reload["status"] as? String == "reloaded")
            #expect(reload["previous_set_version"] as? String == first)
            let changes = try #require(reload["changes"] as? [[String: Any]])
            #expect(changes.count == 1)
            #expect(changes.first?["old_version"] as? String == PluginSource.version(of: diaryText))
            #expect(changes.first?["new_version"] as? String == PluginSource.version(of: edited))
            let second = try scripts.setVersion()
            #expect(second != first)
            #expect(try await client.call(.get, "/healthz").headers[Self.scriptsHeader] == second)
            metrics = try await client.call(.get, "/metrics").text
            #expect(metrics.contains("version=\"\(PluginSource.version(of: edited))\"} 1"))
            #expect(!metrics.contains("version=\"\(PluginSource.version(of: diaryText))\""))
            #expect(metrics.contains("quanzi_script_generation 2"))
            #expect(metrics.contains("quanzi_script_reloads_total{outcome=\"reloaded\",trigger=\"api\"} 1"))
            #expect(metrics.contains("quanzi_script_reloads_total{outcome=\"unchanged\",trigger=\"api\"} 1"))
        }
    }

    @Test("a removed experiment's state series leave /metrics with its file")
    func removedExperimentMetrics() async throws {
        let scripts = try EditableScripts()
        let fixture = try APIFixture(scriptFolders: scripts.folders)
        let admin = try await fixture.token(1, admin: true)
        try await fixture.app().test(.router) { client in
            let before = try await client.call(.get, "/metrics").text
            #expect(before.contains(#"quanzi_experiment_status{experiment="feed-affinity-weight",status="running"} 1"#))
            let stop = try await client.call(.post, "/v1/experiments/feed-affinity-weight/stop", token: admin, json: #"{"reason": "done"}"#)
            #expect(stop.status == .ok)
            try FileManager.default.removeItem(atPath: scripts.path("experiments", "feed-affinity-weight.lua"))
            let reload = try await client.call(.post, "/v1/admin/reload", token: admin)
            #expect(reload.status == .ok)
            let after = try await client.call(.get, "/metrics").text
            #expect(!after.contains(#"quanzi_experiment_status{experiment="feed-affinity-weight""#))
            #expect(!after.contains(#"quanzi_experiment_traffic_share{experiment="feed-affinity-weight""#))
            #expect(after.contains(#"quanzi_experiment_status{experiment="campus-comment-credit",status="running"} 1"#))
        }
    }

    /// Hundreds of requests in flight while the probe circle's file flips between two versions
    /// and reloads: every request is answered, and each answer comes from one set only, the one
    /// its `Quanzi-Scripts` header names (its comment rule's reason and its circle's title are
    /// both of that version: a mix of the two would show).
    @Test("reloads under a hammer of requests: none lost, none served by a mix of sets", .timeLimit(.minutes(3)))
    func hammer() async throws {
        let scripts = try EditableScripts()
        try scripts.write("plugins", "probe.lua", EditableScripts.probe(reason: "version A"))
        let setA = try scripts.setVersion()
        try scripts.write("plugins", "probe.lua", EditableScripts.probe(reason: "version B").replacingOccurrences(of: "title = \"Probe\"", with: "title = \"Probe B\""))
        let setB = try scripts.setVersion()
        try scripts.write("plugins", "probe.lua", EditableScripts.probe(reason: "version A"))
        let fixture = try APIFixture(scriptFolders: scripts.folders)
        let admin = try await fixture.token(1, admin: true)
        var tokens: [String] = []
        for id: Int64 in 2...9 { tokens.append(try await fixture.token(id)) }
        let post = try fixture.service.createPost(by: UserID(2), in: CircleID("probe"), body: "probe")
        for n in 0..<20 { _ = try fixture.service.createPost(by: UserID(Int64(2 + n % 8)), in: CircleID("nearby"), body: "post \(n)") }
        let issued = tokens
        let expected = [setA: "version A in Probe", setB: "version B in Probe B"]
        try await fixture.app().test(.router) { client in
            var outcomes: [(path: String, status: Int, header: String?, message: String?)] = []
            // Twenty rounds: in each, a reload to the other version runs while 30 requests do.
            for round in 0..<20 {
                let roundOutcomes = try await withThrowingTaskGroup(of: (path: String, status: Int, header: String?, message: String?).self) { group in
                    group.addTask {
                        let text = round % 2 == 0
                            ? EditableScripts.probe(reason: "version B").replacingOccurrences(of: "title = \"Probe\"", with: "title = \"Probe B\"")
                            : EditableScripts.probe(reason: "version A")
                        try scripts.write("plugins", "probe.lua", text)
                        let response = try await client.call(.post, "/v1/admin/reload", token: admin)
                        return ("reload", Int(response.status.code), response.headers[Self.scriptsHeader], nil)
                    }
                    for n in 0..<30 {
                        let token = issued[n % issued.count]
                        group.addTask {
                            if n % 3 == 0 {
                                let response = try await client.call(.get, "/v1/circles/nearby/feed?limit=10", token: token)
                                return ("feed", Int(response.status.code), response.headers[Self.scriptsHeader], nil)
                            }
                            let response = try await client.call(.post, "/v1/posts/\(post.id)/comments", token: token, json: #"{"body":"hi"}"#)
                            let error = try? response.object()["error"] as? [String: Any]
                            return ("comment", Int(response.status.code), response.headers[Self.scriptsHeader], error?["message"] as? String)
                        }
                    }
                    var collected: [(path: String, status: Int, header: String?, message: String?)] = []
                    for try await outcome in group { collected.append(outcome) }
                    return collected
                }
                outcomes += roundOutcomes
            }
            #expect(outcomes.filter { $0.path == "reload" }.allSatisfy { $0.status == 200 })
            outcomes.removeAll { $0.path == "reload" }
            #expect(outcomes.count == 600)
            let feeds = outcomes.filter { $0.path == "feed" }
            #expect(feeds.allSatisfy { $0.status == 200 && ($0.header == setA || $0.header == setB) })
            let comments = outcomes.filter { $0.path == "comment" }
            #expect(comments.count == 400)
            let mixed = comments.filter { $0.status != 403 || $0.header.flatMap { expected[$0] } != $0.message }
            #expect(mixed.isEmpty, "answers not from the set their header names: \(mixed.prefix(5))")
            // Both versions served some requests (the reloads happened while requests ran).
            #expect(Set(comments.compactMap(\.header)).count == 2)
        }
    }
}
