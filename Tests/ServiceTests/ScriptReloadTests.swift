import Core
import Foundation
import LuaHost
import Service
import Social
import SQLiteStorage
import Testing

/// Copies of the repository's plugins and experiments in a temporary folder, to edit and reload.
final class ScriptFolderFixture: Sendable {
    let root: URL
    let folders: ScriptFolders

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("quanzi-scripts-\(UUID().uuidString)")
        let manager = FileManager.default
        try manager.createDirectory(at: root, withIntermediateDirectories: true)
        for folder in ["plugins", "experiments"] {
            try manager.copyItem(atPath: ServiceFixture.repository.appendingPathComponent(folder).path, toPath: root.appendingPathComponent(folder).path)
        }
        folders = ScriptFolders(plugins: root.appendingPathComponent("plugins").path, experiments: root.appendingPathComponent("experiments").path)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func write(_ folder: String, _ name: String, _ text: String) throws {
        try text.write(to: root.appendingPathComponent(folder).appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func read(_ folder: String, _ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(folder).appendingPathComponent(name), encoding: .utf8)
    }

    func remove(_ folder: String, _ name: String) throws {
        try FileManager.default.removeItem(at: root.appendingPathComponent(folder).appendingPathComponent(name))
    }

    func path(_ folder: String, _ name: String) -> String { root.appendingPathComponent(folder).appendingPathComponent(name).path }

    /// A service loaded from these folders, as `quanzi serve` loads it.
    func service(clock: ManualClock) throws -> QuanziService {
        let loaded = try folders.load()
        return try QuanziService(database: QuanziDatabase.temporary(), plugins: loaded.plugins, experiments: loaded.experiments, clock: clock)
    }

    /// A new circle anyone verified may post in and everyone may see.
    static func openCircle(id: String, reason: String = "verified users only") -> String {
        """
        return quanzi.circle {
          id = "\(id)",
          title = "\(id)",
          rules = {
            view = function(user, circle, post) return true end,
            post = function(user, circle, post) return user.verified, "\(reason)" end,
            comment = function(user, circle, post) return true end,
            like = function(user, circle, post) return true end,
            report = function(user, circle, post) return true end,
          },
          tests = {
            { name = "a verified user posts", action = "post", expect = true, user = { verified = true } },
          },
        }
        """
    }
}

@Suite("reloading scripts in the running service")
struct ScriptReloadTests {
    let clock = ManualClock(epochSeconds: ServiceFixture.start)

    private func verifiedUser(_ service: QuanziService, _ id: Int64) throws {
        try service.users.insert(UserProfile(
            id: UserID(id), displayName: "user \(id)", verified: true, verifiedAtEpochSeconds: ServiceFixture.start - 86_400,
            gender: .female, birthYear: 2004, occupation: .student, city: "Hangzhou", createdAtEpochSeconds: ServiceFixture.start - 86_400 * 100))
    }

    @Test("a new circle file goes live: posts and its feed work, the versions name it")
    func newCircleGoesLive() throws {
        let scripts = try ScriptFolderFixture()
        let service = try scripts.service(clock: clock)
        try verifiedUser(service, 1)
        #expect(throws: QuanziError.self) { try service.createPost(by: UserID(1), in: CircleID("book-club"), body: "hello") }
        try scripts.write("plugins", "book-club.lua", ScriptFolderFixture.openCircle(id: "book-club"))
        let reload = try service.reloadScripts(from: scripts.folders)
        #expect(reload.changed)
        #expect(reload.generation.number == 2)
        #expect(reload.changes.map(\.path) == [scripts.path("plugins", "book-club.lua")])
        #expect(reload.changes.first?.oldVersion == nil)
        #expect(reload.changes.first?.newVersion == PluginSource.version(of: try scripts.read("plugins", "book-club.lua")))
        let post = try service.createPost(by: UserID(1), in: CircleID("book-club"), body: "hello")
        let page = try service.feed(for: UserID(1), in: CircleID("book-club"))
        #expect(page.items.map(\.post.id) == [post.id])
        #expect(service.scripts.versions.version(ofPath: scripts.path("plugins", "book-club.lua")) != nil)
    }

    @Test("a broken plugin is refused with file:line and the old set keeps serving")
    func brokenPluginRefused() throws {
        let scripts = try ScriptFolderFixture()
        let service = try scripts.service(clock: clock)
        let before = service.scripts.versions
        try scripts.write("plugins", "broken.lua", """
            return quanzi.circle {
              id = "broken",
              title = "Broken",
              rules = { view = "not a function" },
            }
            """)
        try scripts.write("plugins", "syntax.lua", "return quanzi.circle {\n  id = \"syntax\",\n  title = \n")
        let refused = #expect(throws: ScriptReloadRefused.self) { try service.reloadScripts(from: scripts.folders) }
        let problems = refused?.problems ?? []
        #expect(problems.contains { $0.location.file == scripts.path("plugins", "broken.lua") && $0.location.line == 4 && $0.message.contains("view") })
        #expect(problems.contains { $0.location.file == scripts.path("plugins", "syntax.lua") && $0.location.line > 0 }, "\(problems)")
        #expect(refused?.quanziError.code == .reloadRefused)
        #expect(service.scripts.versions == before)
        #expect(service.scripts.number == 1)
        try verifiedUser(service, 1)
        #expect(try service.decide(UserID(1), .post, in: CircleID("friends")).allowed)
    }

    @Test("a failing Lua test case is refused at its own line")
    func failingTestRefused() throws {
        let scripts = try ScriptFolderFixture()
        let service = try scripts.service(clock: clock)
        // The rule lets nobody post, while its test case expects a verified user to.
        let text = ScriptFolderFixture.openCircle(id: "strict").replacingOccurrences(
            of: "return user.verified, \"verified users only\"", with: "return false, \"closed\"")
        try scripts.write("plugins", "strict.lua", text)
        let refused = #expect(throws: ScriptReloadRefused.self) { try service.reloadScripts(from: scripts.folders) }
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("a verified user posts") }.map { $0 + 1 }
        #expect(refused?.problems.count == 1)
        #expect(refused?.problems.first?.location == SourceLocation(file: scripts.path("plugins", "strict.lua"), line: line ?? -1))
        #expect(refused?.problems.first?.message.hasPrefix("test failed") == true)
        #expect(service.plugins.circle(CircleID("strict")) == nil)
    }

    @Test("an edit that moves a running experiment's users is refused unless it declares a new phase")
    func assignmentEditNeedsPhase() throws {
        let scripts = try ScriptFolderFixture()
        let service = try scripts.service(clock: clock)
        let original = try scripts.read("experiments", "campus-comment-credit.lua")
        let reweighted = original
            .replacingOccurrences(of: "{ name = \"control\",   weight = 0.5", with: "{ name = \"control\",   weight = 0.7")
            .replacingOccurrences(of: "{ name = \"treatment\", weight = 0.5", with: "{ name = \"treatment\", weight = 0.3")
        #expect(reweighted != original)
        try scripts.write("experiments", "campus-comment-credit.lua", reweighted)
        let refused = #expect(throws: ScriptReloadRefused.self) { try service.reloadScripts(from: scripts.folders) }
        #expect(refused?.problems.count == 1)
        #expect(refused?.problems.first?.location.file == scripts.path("experiments", "campus-comment-credit.lua"))
        #expect(refused?.problems.first?.message.contains("weights 0.5/0.5 → 0.7/0.3") == true)
        #expect(refused?.problems.first?.message.contains("phase = 2") == true)
        #expect(service.experiments.experiments.experiment("campus-comment-credit")?.variants.first?.weight == 0.5)

        // The traffic share lets users in or out without moving anyone: accepted as it is.
        try scripts.write("experiments", "campus-comment-credit.lua", original.replacingOccurrences(of: "traffic = 0.10", with: "traffic = 0.20"))
        try service.reloadScripts(from: scripts.folders)
        #expect(service.experiments.experiments.experiment("campus-comment-credit")?.traffic == 0.20)

        // With a new phase, the same reweighting goes live.
        try scripts.write("experiments", "campus-comment-credit.lua", reweighted.replacingOccurrences(of: "traffic = 0.10,", with: "traffic = 0.10,\n  phase = 2,"))
        try service.reloadScripts(from: scripts.folders)
        let spec = try #require(service.experiments.experiments.experiment("campus-comment-credit"))
        #expect(spec.phase == 2)
        #expect(spec.variants.map(\.weight) == [0.7, 0.3])

        // A draft experiment may be edited freely: nobody is in it.
        let draft = try scripts.read("experiments", "campus-open-posting.lua")
        try scripts.write("experiments", "campus-open-posting.lua", draft.replacingOccurrences(of: "weight = 0.5, params = { open_to_adults = false }", with: "weight = 0.6, params = { open_to_adults = false }")
            .replacingOccurrences(of: "weight = 0.5, params = { open_to_adults = true }", with: "weight = 0.4, params = { open_to_adults = true }"))
        try service.reloadScripts(from: scripts.folders)
        #expect(service.experiments.experiments.experiment("campus-open-posting")?.variants.first?.weight == 0.6)
    }

    @Test("a stopped experiment may be edited; reloading unchanged files swaps nothing")
    func stoppedExperimentAndUnchanged() throws {
        let scripts = try ScriptFolderFixture()
        let service = try scripts.service(clock: clock)
        let unchanged = try service.reloadScripts(from: scripts.folders)
        #expect(!unchanged.changed)
        #expect(unchanged.generation === service.scripts)
        try service.experiments.stop("campus-comment-credit", reason: "done", actor: "test")
        let original = try scripts.read("experiments", "campus-comment-credit.lua")
        try scripts.write("experiments", "campus-comment-credit.lua", original.replacingOccurrences(of: "seed", with: "seed").replacingOccurrences(
            of: "layer = \"campus-rules\",", with: "layer = \"campus-rules\",\n  seed = \"another\","))
        let reload = try service.reloadScripts(from: scripts.folders)
        #expect(reload.changed)
        #expect(service.experiments.experiments.experiment("campus-comment-credit")?.seed == "another")
    }

    @Test("a request pinned to a set keeps it through a reload; the old set's Lua states are freed after")
    func pinnedRequestKeepsItsSet() throws {
        let scripts = try ScriptFolderFixture()
        let service = try scripts.service(clock: clock)
        try verifiedUser(service, 42)
        weak var first: ScriptGeneration?
        try service.withPinnedScripts { pinned in
            first = pinned
            #expect(try service.decide(UserID(42), .post, in: CircleID("friends")).allowed)
            let friends = try scripts.read("plugins", "friends.lua")
            try scripts.write("plugins", "friends.lua", friends.replacingOccurrences(
                of: "return user.verified, \"real-name verification required\"", with: "if user.id == 42 then return false, \"closed for user 42\" end return user.verified, \"real-name verification required\""))
            try service.reloadScripts(from: scripts.folders)
            // Inside the pin: still the first set, its rules and its versions.
            #expect(service.scripts === pinned)
            #expect(try service.decide(UserID(42), .post, in: CircleID("friends")).allowed)
            #expect(service.servingScripts.number == 2)
        }
        // Outside: the new set.
        let decision = try service.decide(UserID(42), .post, in: CircleID("friends"))
        #expect(!decision.allowed)
        #expect(decision.reason == "closed for user 42")
        // Nothing holds the first generation any more: it and its pooled Lua states are gone.
        #expect(first == nil)
    }

    @Test("a running experiment's file may not be removed until it is stopped, nor one a plugin still reads")
    func removingLiveExperiment() throws {
        let scripts = try ScriptFolderFixture()
        let service = try scripts.service(clock: clock)
        // feed-affinity-weight runs and no plugin reads it.
        try scripts.remove("experiments", "feed-affinity-weight.lua")
        let refused = #expect(throws: ScriptReloadRefused.self) { try service.reloadScripts(from: scripts.folders) }
        #expect(refused?.problems.count == 1)
        #expect(refused?.problems.first?.location.file == scripts.path("experiments", "feed-affinity-weight.lua"))
        #expect(refused?.problems.first?.message.contains("stop it") == true)
        #expect(service.experiments.experiments.experiment("feed-affinity-weight") != nil)
        try service.experiments.stop("feed-affinity-weight", reason: "done", actor: "test")
        try service.reloadScripts(from: scripts.folders)
        #expect(service.experiments.experiments.experiment("feed-affinity-weight") == nil)

        // campus-diary's comment rule reads campus-comment-credit: even stopped, it may not go.
        try service.experiments.stop("campus-comment-credit", reason: "done", actor: "test")
        try scripts.remove("experiments", "campus-comment-credit.lua")
        let unread = #expect(throws: ScriptReloadRefused.self) { try service.reloadScripts(from: scripts.folders) }
        let diary = try scripts.read("plugins", "campus-diary.lua").split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(diary.firstIndex { $0.contains("\"campus-comment-credit\"") }) + 1
        #expect(unread?.problems.map(\.location) == [SourceLocation(file: scripts.path("plugins", "campus-diary.lua"), line: line)])
        #expect(unread?.problems.first?.message.contains("'campus-comment-credit'") == true)
    }

    @Test("a removed circle file leaves the set; its circle is not found")
    func removedFile() throws {
        let scripts = try ScriptFolderFixture()
        let service = try scripts.service(clock: clock)
        try scripts.write("plugins", "book-club.lua", ScriptFolderFixture.openCircle(id: "book-club"))
        try service.reloadScripts(from: scripts.folders)
        try scripts.remove("plugins", "book-club.lua")
        let reload = try service.reloadScripts(from: scripts.folders)
        #expect(reload.changes.count == 1)
        #expect(reload.changes.first?.newVersion == nil)
        try verifiedUser(service, 1)
        #expect(throws: QuanziError.self) { try service.decide(UserID(1), .post, in: CircleID("book-club")) }
    }

    @Test("observers hear accepted reloads only")
    func observers() throws {
        let scripts = try ScriptFolderFixture()
        let service = try scripts.service(clock: clock)
        let heard = ReloadLog()
        service.onReload { heard.append($0.generation.number) }
        try service.reloadScripts(from: scripts.folders)
        try scripts.write("plugins", "broken.lua", "return 1")
        _ = try? service.reloadScripts(from: scripts.folders)
        try scripts.remove("plugins", "broken.lua")
        try scripts.write("plugins", "book-club.lua", ScriptFolderFixture.openCircle(id: "book-club"))
        try service.reloadScripts(from: scripts.folders)
        #expect(heard.numbers == [2])
    }
}

final class ReloadLog: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int] = []
    func append(_ value: Int) { lock.withLock { values.append(value) } }
    var numbers: [Int] { lock.withLock { values } }
}
