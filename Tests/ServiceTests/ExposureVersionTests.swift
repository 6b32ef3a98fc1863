import Core
import Experiments
import Foundation
import LuaHost
import Social
import SQLiteStorage
import Testing

@testable import Service

/// Exposures record the phase and the script versions they were made under, a new phase exposes
/// users again and only the current phase is analysed, and the report splits by version.
@Suite("exposure versions and phases")
struct ExposureVersionTests {
    static let experimentID = "campus-comment-credit"
    static let diary = CircleID("campus-diary")

    /// A circle whose feed ranking reads `feed-affinity-weight` (the shipped plugins read no
    /// ranking experiment): the feed path of an exposure.
    static let rankedCircle = PluginSource(
        path: "plugins/ranked.lua",
        code: """
            return quanzi.circle {
              id = "ranked", title = "Ranked",
              rules = {
                view = function(user, circle, post) return true end,
                post = function(user, circle, post) return true end,
              },
              ranking = { experiments = { "feed-affinity-weight" } },
            }
            """)

    /// The repository's experiments, with campus-comment-credit on all traffic at `phase` and
    /// `feed-affinity-weight` on all traffic; `title` changes the file (its version) and nothing else.
    static func experimentSources(phase: Int = 1, title: String = "Campus diary: comment bar") throws -> [PluginSource] {
        let others = try PluginSource.folder(ServiceFixture.experimentsDirectory).filter {
            !$0.path.hasSuffix("/campus-comment-credit.lua") && !$0.path.hasSuffix("/feed-affinity-weight.lua")
                && !$0.path.hasSuffix("/behaviour.lua")
        }
        let comment = ExperimentFixture.experiment.replacingOccurrences(
            of: "id = \"campus-comment-credit\",", with: "id = \"campus-comment-credit\", title = \"\(title)\", phase = \(phase),")
        let feed = """
            return quanzi.experiment {
              id = "feed-affinity-weight", layer = "feed-ranking", traffic = 1.0,
              variants = {
                { name = "control", weight = 0.5, params = { w_affinity = 1.5 } },
                { name = "treatment", weight = 0.5, params = { w_affinity = 3.0 } },
              },
              metrics = { primary = "likes_per_user" },
            }
            """
        return others + [
            PluginSource(path: "experiments/campus-comment-credit.lua", code: comment),
            PluginSource(path: "experiments/feed-affinity-weight.lua", code: feed),
        ]
    }

    static func fixture() throws -> ServiceFixture {
        let plugins = try PluginSet.load(try PluginSource.folder(ServiceFixture.pluginsDirectory) + [rankedCircle])
        return try ServiceFixture(plugins: plugins, experiments: try ExperimentSet.load(try experimentSources()))
    }

    /// Folders holding the repository's plugins (and the ranked circle) and `experiments`, for a
    /// reload; removed by `cleanUp`.
    static func folders(experiments: [PluginSource]) throws -> ScriptFolders {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quanzi-versions-\(UUID().uuidString)")
        let plugins = root.appendingPathComponent("plugins"), experimentsFolder = root.appendingPathComponent("experiments")
        for folder in [plugins, experimentsFolder] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        for source in try PluginSource.folder(ServiceFixture.pluginsDirectory) + [rankedCircle] {
            try source.code.write(to: plugins.appendingPathComponent(source.fileName), atomically: true, encoding: .utf8)
        }
        for source in experiments {
            try source.code.write(to: experimentsFolder.appendingPathComponent(source.fileName), atomically: true, encoding: .utf8)
        }
        return ScriptFolders(plugins: plugins.path, experiments: experimentsFolder.path)
    }

    static func cleanUp(_ folders: ScriptFolders) {
        try? FileManager.default.removeItem(atPath: (folders.plugins as NSString).deletingLastPathComponent)
    }

    /// Users `ids` (verified students, scored) and a post in campus-diary by user 1000 for them to comment on.
    static func population(_ setup: ServiceFixture, _ ids: ClosedRange<Int64>) throws -> Post {
        try setup.user(1_000)
        for id in ids { try setup.user(id, gender: .male) }
        _ = try setup.service.credit.recomputeAll(at: ServiceFixture.start)
        return try setup.service.createPost(by: UserID(1_000), in: diary, body: "hello")
    }

    /// Each user asks whether they may comment: the diary's rule reads the experiment's param.
    static func decideComments(_ setup: ServiceFixture, _ ids: ClosedRange<Int64>, post: Post) throws {
        for id in ids { _ = try setup.service.decide(UserID(id), .comment, in: diary, post: post) }
    }

    @Test("a rule's exposure records the circle's plugin version, the ranking's too; the API's records none")
    func versionsRecorded() throws {
        let setup = try Self.fixture()
        let service = setup.service
        let post = try Self.population(setup, 1...3)
        try Self.decideComments(setup, 1...1, post: post)
        _ = try service.experiments.expose(try service.users.require(UserID(2)), to: Self.experimentID)
        _ = try service.feed(for: UserID(3), in: CircleID("ranked"), recordViews: false)

        let scripts = service.scripts
        let experimentVersion = try #require(scripts.experimentVersion(of: Self.experimentID))
        let diaryVersion = try #require(scripts.pluginVersion(ofCircle: Self.diary))
        let exposures = try service.experiments.store.exposures(of: Self.experimentID, phase: 1)
        #expect(exposures.map(\.userID) == [UserID(1), UserID(2)])
        #expect(exposures[0].version == ExposureVersion(experimentVersion: experimentVersion, pluginVersion: diaryVersion))
        #expect(exposures[1].version == ExposureVersion(experimentVersion: experimentVersion, pluginVersion: nil), "a client's exposure")
        #expect(exposures.allSatisfy { $0.phase == 1 && $0.node == nil }, "SQLite names no node")
        let ranked = try service.experiments.store.exposures(of: "feed-affinity-weight", phase: 1)
        #expect(ranked.map(\.userID) == [UserID(3)])
        #expect(ranked.first?.pluginVersion == scripts.pluginVersion(ofCircle: CircleID("ranked")))
        #expect(ranked.first?.experimentVersion == scripts.experimentVersion(of: "feed-affinity-weight"))
        #expect(diaryVersion != scripts.pluginVersion(ofCircle: CircleID("ranked")))
    }

    @Test("a new phase exposes users again, and the analysis counts only the current phase from each user's exposure in it")
    func phases() throws {
        let setup = try Self.fixture()
        let service = setup.service
        let post = try Self.population(setup, 1...40)
        try Self.decideComments(setup, 1...40, post: post)
        let phaseOneEnd = ServiceFixture.start + 500
        try service.bulkWrite { writer in
            for id in Int64(1)...40 { try writer.comment(on: post.id, by: UserID(id), body: "phase one", at: ServiceFixture.start + 100) }
        }

        setup.clock.advance(bySeconds: 1_000)
        let folders = try Self.folders(experiments: try Self.experimentSources(phase: 2))
        defer { Self.cleanUp(folders) }
        let reload = try service.reloadScripts(from: folders, trigger: "test")
        let phase = try service.experiments.engine.spec(Self.experimentID).phase
        #expect(reload.changed && phase == 2)
        // Half the users come back: each is exposed again, in phase 2, once.
        try Self.decideComments(setup, 1...20, post: post)
        try Self.decideComments(setup, 1...20, post: post)
        let phaseTwoStart = setup.clock.nowEpochSeconds
        try service.bulkWrite { writer in
            // Before a user's phase-2 exposure nothing counts, after it each comments twice.
            for id in Int64(1)...20 {
                try writer.comment(on: post.id, by: UserID(id), body: "between", at: phaseOneEnd + 100)
                for offset in Int64(1)...2 {
                    try writer.comment(on: post.id, by: UserID(id), body: "phase two", at: phaseTwoStart + offset)
                }
            }
        }

        let store = service.experiments.store
        #expect(try store.exposures(of: Self.experimentID, phase: 1).count == 40)
        #expect(try store.exposures(of: Self.experimentID, phase: 2).map(\.userID) == (1...20).map { UserID(Int64($0)) })
        #expect(try store.exposures(of: Self.experimentID, phase: 2).allSatisfy { $0.firstExposedAtEpochSeconds == phaseTwoStart })
        #expect(try store.exposureCounts(of: Self.experimentID, phase: 2).values.reduce(0, +) == 20)
        #expect(try setup.eventCount(.exposure) == 60)

        let report = try service.experiments.analyze(Self.experimentID, now: phaseTwoStart + 3_600, applyGuardrails: false)
        #expect(report.phase == 2)
        #expect(report.variants.map(\.users).reduce(0, +) == 20)
        let comments = try #require(report.metrics.first { $0.id == "comments_per_user" })
        #expect(comments.arms.allSatisfy { $0.value == 2 }, "phase one's comments and those before the phase-2 exposure do not count")
        // A later phase-2 exposure of a new user starts their own window.
        #expect(try service.experiments.expose(try service.users.require(UserID(30)), to: Self.experimentID).exposes)
        #expect(try store.exposures(of: Self.experimentID, phase: 2).count == 21)
    }

    @Test("a new version of the experiment's file splits the report by version; each user counts under their first exposure")
    func byVersion() throws {
        let setup = try Self.fixture()
        let service = setup.service
        let post = try Self.population(setup, 1...30)
        try Self.decideComments(setup, 1...12, post: post)
        let first = try #require(service.scripts.experimentVersion(of: Self.experimentID))

        setup.clock.advance(bySeconds: 600)
        let folders = try Self.folders(experiments: try Self.experimentSources(title: "Campus diary: comment bar, retitled"))
        defer { Self.cleanUp(folders) }
        try service.reloadScripts(from: folders, trigger: "test")
        let second = try #require(service.scripts.experimentVersion(of: Self.experimentID))
        #expect(first != second)
        // Users 1…12 come back (still counted under the first version); 13…30 are new.
        try Self.decideComments(setup, 1...30, post: post)
        try service.bulkWrite { writer in
            for id in Int64(1)...30 { try writer.comment(on: post.id, by: UserID(id), body: "hi", at: setup.clock.nowEpochSeconds + 1) }
        }

        let report = try service.experiments.analyze(
            Self.experimentID, now: setup.clock.nowEpochSeconds + 3_600, applyGuardrails: false,
            byVersion: true)
        let diary = service.scripts.pluginVersion(ofCircle: Self.diary)
        #expect(
            report.versions.map(\.version) == [first, second].sorted().map { ExposureVersion(experimentVersion: $0, pluginVersion: diary) })
        #expect(report.versions.map(\.users) == (first < second ? [12, 18] : [18, 12]))
        // Files are named from what this process loads now (on PostgreSQL, also from the nodes' records).
        #expect(report.versions.first { $0.version.experimentVersion == first }?.experimentFile == nil)
        #expect(report.versions.first { $0.version.experimentVersion == second }?.experimentFile == "campus-comment-credit.lua")
        #expect(report.versions.allSatisfy { $0.pluginFile == "campus-diary.lua" })
        #expect(report.versionSections.map(\.version) == report.versions.map(\.version))
        for section in report.versionSections {
            let row = try #require(report.versions.first { $0.version == section.version })
            #expect(section.report.variants.map(\.users) == row.usersPerVariant)
            let comments = try #require(section.report.metrics.first { $0.id == "comments_per_user" })
            #expect(comments.arms.allSatisfy { $0.value == 1 })
        }
        #expect(report.summary.contains("Caution: the data spans experiment versions"))
        #expect(report.summary.contains("each user counts under the versions of their first exposure in phase 1"))
        #expect(report.nodeDisagreements.isEmpty)
    }
}
