import Core
import Foundation
import LuaHost
import Service
import Social
import SQLiteStorage
import Testing

@testable import Repl

/// A REPL over a fresh database with the repository's plugins and experiments and two users.
final class ReplFixture {
    static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()
    static let start: Int64 = 1_767_225_600

    let session: ReplSession
    let database: QuanziDatabase

    /// `folders` holds `plugins/` and `experiments/` (default: the repository's).
    init(folders: URL = ReplFixture.repository) throws {
        let sources = ReplSession.Sources(plugins: folders.appendingPathComponent("plugins").path,
                                          experiments: folders.appendingPathComponent("experiments").path)
        database = try QuanziDatabase.temporary()
        let service = try QuanziService(database: database, plugins: try PluginSet.load(directory: sources.plugins),
                                        experiments: try ExperimentSet.load(directory: sources.experiments),
                                        clock: ManualClock(epochSeconds: Self.start))
        for (id, gender, occupation) in [(Int64(42), Gender.male, Occupation.officeWorker), (7, .female, .student)] {
            try service.users.insert(UserProfile(id: UserID(id), displayName: "user\(id)", verified: true, verifiedAtEpochSeconds: Self.start - 86_400,
                                                 gender: gender, birthYear: 2000, occupation: occupation, city: "Hangzhou",
                                                 createdAtEpochSeconds: Self.start - 400 * 86_400))
        }
        _ = try service.credit.recomputeAll(at: Self.start)
        session = try ReplSession(service: service, sources: sources)
    }

    deinit { try? database.removeFiles() }
}

@Suite("REPL")
struct ReplSessionTests {
    @Test(":queue lists held posts oldest first with their keywords")
    func queue() throws {
        let repl = try ReplFixture()
        #expect(repl.session.handle(":queue") == "the review queue is empty")
        let held = try repl.session.service.createPost(by: UserID(7), in: CircleID("campus-diary"), body: "加微信 聊聊")
        let lines = repl.session.handle(":queue").split(separator: "\n").map(String.init)
        #expect(lines == ["#1  post \(held.id) in campus-diary by user 7  [keywords: 加微信]  waiting 0 min", "    text: 加微信 聊聊"])
    }

    @Test(":why shows a block as the reason, before any rule")
    func whyBlocked() throws {
        let repl = try ReplFixture()
        let service = repl.session.service
        let post = try service.createPost(by: UserID(7), in: CircleID("campus-diary"), body: "hello")
        try service.block(UserID(42), by: UserID(7))
        let answer = repl.session.handle(":why campus-diary like 42 \(post.id)")
        #expect(answer == "denied: user 42 like in campus-diary: user 7 does not accept this from user 42\n  blocked: checked by the core before any rule (no rule ran)")
        try service.unblock(UserID(42), by: UserID(7))
        #expect(!repl.session.handle(":why campus-diary like 42 \(post.id)").contains("blocked"))
    }

    @Test(":why explains a denial with the rule's location and what it read")
    func why() throws {
        let repl = try ReplFixture()
        let answer = repl.session.handle(":why campus-diary post 42")
        #expect(answer.hasPrefix("denied: user 42 post in campus-diary: only verified female students may post here"))
        #expect(answer.contains("rule: ") && answer.contains("plugins/campus-diary.lua:"))
        #expect(answer.contains("user.verified = true"))
        #expect(answer.contains("user.gender = \"male\""))
        #expect(repl.session.handle(":why campus-diary post 7").hasPrefix("allowed: user 7 post in campus-diary"))
        let comment = repl.session.handle(":why campus-diary comment 42")
        #expect(comment.contains("quanzi.credit.score(42) = "))
        #expect(comment.contains("credit score 750+ required to comment"))
    }

    @Test("looking at a rule in the REPL logs no exposure")
    func noExposureFromPreview() throws {
        let repl = try ReplFixture()
        _ = repl.session.handle(":why campus-diary comment 42")
        _ = repl.session.handle("quanzi.ab.param(42, 'campus-comment-credit', 'min_credit', 750)")
        #expect(try repl.session.service.experiments.store.exposures(of: "campus-comment-credit").isEmpty)
    }

    @Test("globals persist across lines, multi-line input continues, and :as sets the user")
    func session() throws {
        let repl = try ReplFixture()
        #expect(repl.session.handle("x = 20") == "")
        #expect(repl.session.handle("x * 2 + 2") == "42")
        #expect(repl.session.handle("function double(n)") == "")
        #expect(repl.session.prompt.hasSuffix("..> "))
        #expect(repl.session.handle("  return n * 2") == "")
        #expect(repl.session.handle("end") == "")
        #expect(repl.session.handle("double(21)") == "42")
        #expect(repl.session.handle(":as 7").hasPrefix("now acting as user 7"))
        #expect(repl.session.handle("user.occupation") == "student")
        #expect(repl.session.prompt == "quanzi(7)> ")
    }

    @Test("results print as users, aligned tables and records")
    func formatting() throws {
        let repl = try ReplFixture()
        #expect(repl.session.handle("quanzi.user(42)") == "user 42 · user42 · male office worker · age 26 · verified · Hangzhou")
        #expect(repl.session.handle("{ {id = 1, name = 'a'}, {id = 22, name = 'bb'} }") == "id  name\n--  ----\n1   a\n22  bb")
        #expect(repl.session.handle("{score = 700, level = 'good'}") == "level = \"good\"\nscore = 700")
    }

    @Test("errors keep the session: file:line messages and limits")
    func errors() throws {
        let repl = try ReplFixture()
        #expect(repl.session.handle("error('boom')") == "repl:1: boom")
        #expect(repl.session.handle("while true do end") == "repl:1: instruction limit exceeded")
        #expect(repl.session.handle("1 + 1") == "2")
        #expect(repl.session.handle(":why nowhere post 42") == "error: circle_not_found: no circle 'nowhere'")
        #expect(repl.session.handle(":why campus-diary post 9999") == "error: user_not_found: no user 9999")
        #expect(repl.session.handle(":variant nope 42") == "error: experiment_not_found: no experiment 'nope'")
        #expect(repl.session.handle(":bogus").hasPrefix("unknown command :bogus"))
        #expect(repl.session.handle(":why campus-diary").hasPrefix("usage: :why CIRCLE ACTION USER"))
    }

    @Test(":variant, :credit, :wallet and :reload")
    func commands() throws {
        let repl = try ReplFixture()
        #expect(repl.session.handle(":variant campus-comment-credit 42").hasPrefix("campus-comment-credit user 42: "))
        #expect(repl.session.handle(":credit 42").hasPrefix("user 42: credit "))
        _ = try repl.session.service.createPost(by: UserID(7), in: CircleID("campus-diary"), body: "图书馆")
        let feed = repl.session.handle(":feed 42 campus-diary --explain")
        #expect(feed.hasPrefix("campus-diary as seen by user 42:"))
        #expect(feed.contains("图书馆") && feed.contains("recency"))
        #expect(repl.session.handle(":wallet 42").hasPrefix("user 42: balance "))
        let experimentCount = repl.session.service.experiments.experiments.experiments.count
        #expect(repl.session.handle(":reload").hasPrefix("reloaded 4 circles and \(experimentCount) experiments\nscripts version "))
        #expect(repl.session.handle(":quit") == "" && repl.session.wantsToQuit)
    }

    @Test(":help names the loaded set's version; :load says the file's")
    func versions() throws {
        let repl = try ReplFixture()
        let service = repl.session.service
        let versions = ScriptVersions(plugins: service.plugins, experiments: service.experiments.experiments)
        let help = repl.session.handle(":help")
        #expect(help.hasPrefix(ReplSession.help))
        #expect(help.hasSuffix("scripts: version \(versions.setVersion) (\(versions.files.count) files from \(ReplFixture.repository.path)/plugins and "
            + "\(ReplFixture.repository.path)/experiments; :reload lists each file's version)"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("repl-load-\(UUID().uuidString).lua")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("answer = 40 + 2\nreturn answer".utf8).write(to: file)
        #expect(repl.session.handle(":load \(file.path)") == "42\nloaded \(file.path)  version \(PluginSource.version(of: "answer = 40 + 2\nreturn answer"))")
        #expect(repl.session.handle("answer") == "42")
    }

    @Test(":reload lists every file with its version and marks what changed since the last load")
    func reloadListsVersions() throws {
        let folders = FileManager.default.temporaryDirectory.appendingPathComponent("repl-reload-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folders) }
        for folder in ["plugins", "experiments"] {
            try FileManager.default.copyItem(at: ReplFixture.repository.appendingPathComponent(folder), to: folders.appendingPathComponent(folder))
        }
        let repl = try ReplFixture(folders: folders)
        let nearby = folders.appendingPathComponent("plugins/nearby.lua")
        let edited = try String(contentsOf: nearby, encoding: .utf8) + "\n-- edited\n"
        try Data(edited.utf8).write(to: nearby)
        let lines = repl.session.handle(":reload").split(separator: "\n").map(String.init)
        let versions = ScriptVersions(plugins: repl.session.service.plugins, experiments: repl.session.service.experiments.experiments)
        #expect(lines[1] == "scripts version \(versions.setVersion)")
        #expect(lines.count == 2 + versions.files.count, "\(lines)")
        for (line, file) in zip(lines.dropFirst(2), versions.files) {
            #expect(line.hasPrefix("  \(file.path)  ") && line.contains(file.version), "\(line)")
            #expect(line.hasSuffix("(changed)") == (file.name == "nearby.lua"), "\(line)")
        }
        #expect(versions.version(ofPath: nearby.path) == PluginSource.version(of: edited))
        #expect(repl.session.handle(":reload").split(separator: "\n").allSatisfy { !$0.hasSuffix("(changed)") }, "nothing changed since")
    }

    @Test("file versions: new, changed and removed files are marked, paths aligned")
    func fileVersionLines() {
        let before = ScriptVersions(files: [
            .init(folder: .plugins, path: "plugins/a.lua", version: "aaaaaaaaaaaaaaaa"),
            .init(folder: .plugins, path: "plugins/gone.lua", version: "bbbbbbbbbbbbbbbb"),
            .init(folder: .experiments, path: "experiments/x.lua", version: "cccccccccccccccc"),
        ])
        let after = ScriptVersions(files: [
            .init(folder: .plugins, path: "plugins/a.lua", version: "aaaaaaaaaaaaaaaa"),
            .init(folder: .plugins, path: "plugins/new.lua", version: "dddddddddddddddd"),
            .init(folder: .experiments, path: "experiments/x.lua", version: "eeeeeeeeeeeeeeee"),
        ])
        #expect(ReplFormat.fileVersions(after, since: before) == [
            "  plugins/a.lua      aaaaaaaaaaaaaaaa",
            "  plugins/new.lua    dddddddddddddddd  (new)",
            "  experiments/x.lua  eeeeeeeeeeeeeeee  (changed)",
            "  plugins/gone.lua   removed (was bbbbbbbbbbbbbbbb)",
        ])
    }

    @Test(":experiments shows the status, traffic served, ramp step, exposed users per variant and the last change")
    func experiments() throws {
        let repl = try ReplFixture()
        let before = repl.session.handle(":experiments").split(separator: "\n").map(String.init)
        let ramped = try #require(before.first { $0.hasPrefix("campus-open-posting  ") })
        #expect(ramped.hasPrefix("campus-open-posting  draft  traffic 0% (step 1/4: 1% → 5% → 25% → 50%)  exposed 0 (control 0, treatment 0)"), "\(ramped)")
        #expect(before.contains { $0.hasPrefix("campus-comment-credit  running  traffic 10%  layer campus-rules [0.0, 1.0)  exposed 0") }, "\(before)")
        _ = try repl.session.service.experiments.ship("campus-comment-credit", variant: "treatment", personReason: "700 brings comments")
        let after = repl.session.handle(":experiments").split(separator: "\n").map(String.init)
        let shipped = try #require(after.firstIndex { $0.hasPrefix("campus-comment-credit  ") })
        #expect(after[shipped].hasPrefix("campus-comment-credit  shipped 'treatment'  traffic 100%"), "\(after)")
        #expect(after[shipped + 1] == "  last change: shipped 'treatment' by cli at 2026-01-01T00:00:00Z (revision 1): 700 brings comments")
    }

    @Test("completion offers every quanzi.* binding of the table, in its order")
    func completesBindings() throws {
        let repl = try ReplFixture()
        let bindings = repl.session.completionWords.filter { $0.hasPrefix("quanzi.") }
        #expect(bindings == ScriptBinding.all.map(\.name))
        #expect(bindings == ["quanzi.user", "quanzi.now", "quanzi.log", "quanzi.credit.score", "quanzi.credit.explain", "quanzi.social.are_friends",
                             "quanzi.social.blocked", "quanzi.social.affinity", "quanzi.wallet.balance", "quanzi.ab.variant", "quanzi.ab.param"])
    }
}
