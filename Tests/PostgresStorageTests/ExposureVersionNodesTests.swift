import Core
import Experiments
import Foundation
import LuaHost
import PostgresNIO
@_spi(LedgerStore) import PostgresStorage
@_spi(LedgerStore) import Service
import Social
import StorageModel
import Testing

/// Exposures on PostgreSQL carry their phase, versions and node; each node records the script
/// versions it serves (`node_script_versions`), and the analysis warns when the nodes that served
/// an experiment disagreed.
@Suite("exposure versions and nodes on PostgreSQL", PostgresTestDatabase.available)
struct ExposureVersionNodesTests {
    static let start = PostgresServiceTests.start
    static let experimentID = "campus-comment-credit"
    static let diary = PostgresServiceTests.circle

    /// The repository's experiments with campus-comment-credit on all traffic; `title` changes
    /// its file (its version), not who gets which variant.
    static func experiments(title: String) throws -> [PluginSource] {
        let folder = PostgresServiceTests.repository.appendingPathComponent("experiments").path
        let others = try PluginSource.folder(folder).filter {
            !$0.path.hasSuffix("/campus-comment-credit.lua") && !$0.path.hasSuffix("/behaviour.lua")
        }
        let experiment = """
            return quanzi.experiment {
              id = "campus-comment-credit", title = "\(title)", layer = "campus-rules", traffic = 1.0,
              variants = {
                { name = "control", weight = 0.5, params = { min_credit = 750 } },
                { name = "treatment", weight = 0.5, params = { min_credit = 350 } },
              },
              metrics = { primary = "comments_per_user" },
            }
            """
        return others + [PluginSource(path: "experiments/campus-comment-credit.lua", code: experiment)]
    }

    static func service(on backend: PostgresBackend, title: String, clock: ManualClock) async throws -> QuanziService {
        let plugins = try PluginSet.load(directory: PostgresServiceTests.repository.appendingPathComponent("plugins").path)
        let experiments = try ExperimentSet.load(try Self.experiments(title: title))
        return try await Backend.offPool { try QuanziService(storage: backend, plugins: plugins, experiments: experiments, clock: clock) }
    }

    /// Users `ids` (verified students) and user 1000's post in campus-diary.
    static func population(_ ids: ClosedRange<Int64>, on service: QuanziService) async throws -> Post {
        try await Backend.offPool {
            try service.bulkWrite { writer in
                for id in ids { try writer.insertUser(PostgresServiceTests.profile(id)) }
                try writer.insertUser(PostgresServiceTests.profile(1_000))
            }
            return try service.createPost(by: UserID(1_000), in: Self.diary, body: "hello")
        }
    }

    /// Each user asks on `node` whether they may comment: campus-diary's rule reads the
    /// experiment's param, which exposes them.
    static func decideComments(_ ids: [Int64], post: Post, on node: QuanziService) async throws {
        try await Backend.offPool {
            for id in ids { _ = try node.decide(UserID(id), .comment, in: Self.diary, post: post) }
        }
    }

    @Test("v7 keeps earlier exposures as phase 1 with no versions; a new phase exposes a user again")
    func migrationKeepsRows() async throws {
        try await PostgresTestDatabase.withDatabase { database, client in
            let logger = PostgresTestDatabase.logger
            // A database from before v7 (emulated: that migration undone) with two exposures.
            for statement in [
                "DELETE FROM quanzi_migrations WHERE name = 'v7-exposure-versions'",
                "ALTER TABLE exposures DROP CONSTRAINT exposures_pkey",
                "ALTER TABLE exposures DROP COLUMN phase, DROP COLUMN experiment_version, DROP COLUMN plugin_version, DROP COLUMN node",
                "ALTER TABLE exposures ADD PRIMARY KEY (experiment_id, user_id)",
            ] {
                try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await PostgresTestDatabase.insertUsers([1, 2], on: client)
            try await client.query(
                "INSERT INTO exposures (experiment_id, user_id, variant, first_exposed_at) VALUES ('e1', 1, 'control', 100), ('e1', 2, 'treatment', 200)",
                logger: logger)
            #expect(try await PostgresMigrations.migrate(client, logger: logger) == ["v7-exposure-versions"])

            let store = PostgresExperimentStore(database: database)
            let again = ExperimentExposure(
                userID: UserID(1), variant: "treatment", firstExposedAtEpochSeconds: 900, phase: 2,
                experimentVersion: "0123456789abcdef", pluginVersion: nil, node: "node-x")
            let (before, recorded, repeated, after) = try await Backend.offPool {
                (
                    try store.exposures(of: "e1"), try store.recordExposure(again, experiment: "e1"),
                    try store.recordExposure(again, experiment: "e1"),
                    try store.exposures(of: "e1", phase: 2)
                )
            }
            #expect(
                before == [
                    ExperimentExposure(userID: UserID(1), variant: "control", firstExposedAtEpochSeconds: 100, phase: 1),
                    ExperimentExposure(userID: UserID(2), variant: "treatment", firstExposedAtEpochSeconds: 200, phase: 1),
                ])
            #expect(recorded && !repeated && after == [again])
            // The schema refuses a malformed version, phase 0, and a row without a phase.
            for statement in [
                "INSERT INTO exposures (experiment_id, phase, user_id, variant, first_exposed_at, experiment_version) VALUES ('e2', 1, 1, 'c', 0, 'nope')",
                "INSERT INTO exposures (experiment_id, phase, user_id, variant, first_exposed_at) VALUES ('e2', 0, 1, 'c', 0)",
                "INSERT INTO exposures (experiment_id, user_id, variant, first_exposed_at) VALUES ('e2', 1, 'c', 0)",
            ] {
                await #expect(throws: PSQLError.self, "\(statement)") {
                    try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
            }
        }
    }

    @Test("a rule's exposure records the plugin version and the node; a client's records the node but no plugin version")
    func exposuresCarryVersions() async throws {
        try await PostgresTestDatabase.withBackend { backend in
            let clock = ManualClock(epochSeconds: Self.start)
            let service = try await Self.service(on: backend, title: "one", clock: clock)
            let post = try await Self.population(1...2, on: service)
            try await Self.decideComments([1], post: post, on: service)
            let exposures = try await Backend.offPool {
                _ = try service.experiments.expose(try service.users.require(UserID(2)), to: Self.experimentID)
                return try service.experiments.store.exposures(of: Self.experimentID, phase: 1)
            }
            let scripts = service.scripts
            #expect(exposures.map(\.userID) == [UserID(1), UserID(2)])
            #expect(
                exposures.allSatisfy {
                    $0.node == backend.nodeID && $0.experimentVersion == scripts.experimentVersion(of: Self.experimentID)
                })
            #expect(exposures[0].pluginVersion == scripts.pluginVersion(ofCircle: Self.diary) && exposures[0].pluginVersion != nil)
            #expect(exposures[1].pluginVersion == nil)
        }
    }

    @Test("two nodes serving different versions of an experiment's file: both are recorded, and the analysis warns")
    func nodesDisagree() async throws {
        try await PostgresTestDatabase.withBackends(2) { backends in
            let clocks = [ManualClock(epochSeconds: Self.start), ManualClock(epochSeconds: Self.start)]
            let nodes = [
                try await Self.service(on: backends[0], title: "one", clock: clocks[0]),
                try await Self.service(on: backends[1], title: "two", clock: clocks[1]),
            ]
            let versions = nodes.map { $0.scripts.experimentVersion(of: Self.experimentID) }
            #expect(versions[0] != nil && versions[1] != nil && versions[0] != versions[1])
            let recorders = nodes.compactMap { node in
                node.startRecordingScriptVersions(onFailure: { @Sendable error in Issue.record(error) })
            }
            #expect(recorders.map(\.nodeID) == ["node-0", "node-1"])
            try await Backend.offPool { for recorder in recorders { try recorder.recordServing() } }
            let post = try await Self.population(1...30, on: nodes[0])

            // Node 0 exposes users at start and 20 s later; node 1 in between: the two experiment
            // versions were exposing users at the same time.
            try await Self.decideComments(Array(1...10), post: post, on: nodes[0])
            clocks[1].advance(bySeconds: 10)
            try await Self.decideComments(Array(11...20), post: post, on: nodes[1])
            clocks[0].advance(bySeconds: 20)
            try await Self.decideComments(Array(21...30), post: post, on: nodes[0])
            clocks[0].advance(bySeconds: 80)

            let report = try await Backend.offPool {
                try nodes[0].experiments.analyze(
                    Self.experimentID, now: clocks[0].nowEpochSeconds, applyGuardrails: false, byVersion: true,
                    checkNodes: true)
            }
            let experimentVersions = try versions.map { try #require($0) }
            let (first, second) = (
                NodeDisagreement.Side(node: "node-0", version: experimentVersions[0]),
                NodeDisagreement.Side(node: "node-1", version: experimentVersions[1])
            )
            #expect(
                report.nodeDisagreements == [
                    NodeDisagreement(
                        evidence: .served, folder: .experiments, file: "campus-comment-credit.lua", first: first, second: second,
                        fromEpochSeconds: Self.start, untilEpochSeconds: Self.start + 100),
                    NodeDisagreement(
                        evidence: .exposures, folder: .experiments, file: "campus-comment-credit.lua", first: first,
                        second: second, fromEpochSeconds: Self.start + 10, untilEpochSeconds: Self.start + 10),
                ], "campus-diary is the same file on both nodes: no plugin disagreement")
            #expect(
                report.summary.contains(
                    "Caution: nodes node-0 and node-1 served different versions of experiments/campus-comment-credit.lua"))
            // Both versions, each named from the nodes' records, with the users each exposed.
            let rows = Dictionary(uniqueKeysWithValues: report.versions.map { ($0.version.experimentVersion, $0) })
            #expect(rows[experimentVersions[0]]?.users == 20 && rows[experimentVersions[1]]?.users == 10)
            #expect(report.versions.allSatisfy { $0.experimentFile == "campus-comment-credit.lua" && $0.pluginFile == "campus-diary.lua" })
            #expect(report.versionSections.count == 2)
            #expect(
                report.versionSections.allSatisfy { section in
                    section.report.variants.map(\.users).reduce(0, +) == rows[section.version.experimentVersion]?.users
                })

            // Node 1 reloads to node 0's file: its record follows (closed at the reload, the new one open).
            clocks[1].advance(bySeconds: 190)
            let folders = try Self.folders(experiments: try Self.experiments(title: "one"))
            defer { try? FileManager.default.removeItem(atPath: (folders.plugins as NSString).deletingLastPathComponent) }
            try await Backend.offPool { _ = try nodes[1].reloadScripts(from: folders, trigger: "test") }
            #expect(nodes[1].scripts.experimentVersion(of: Self.experimentID) == versions[0])
            let served = try await Backend.offPool { try backends[0].nodeScriptVersions!.servedFiles(from: 0, until: .max) }
            // The reload's files sit in another folder: every row was closed and reopened at their new path.
            let nodeOne = served.filter { $0.node == "node-1" && $0.file.name == "campus-comment-credit.lua" }
                .sorted { $0.servedFromEpochSeconds < $1.servedFromEpochSeconds }
            #expect(nodeOne.map(\.file.version) == [experimentVersions[1], experimentVersions[0]])
            #expect(nodeOne.map(\.servedUntilEpochSeconds) == [Self.start + 200, nil])
            #expect(nodeOne.last?.servedFromEpochSeconds == Self.start + 200)
            // Every file node 0 loads has one open row; a clean stop closes them.
            let nodeZeroOpen = served.filter { $0.node == "node-0" && $0.servedUntilEpochSeconds == nil }
            #expect(nodeZeroOpen.count == nodes[0].scripts.versions.files.count)
            try await Backend.offPool { try recorders[0].stop() }
            let afterStop = try await Backend.offPool { try backends[0].nodeScriptVersions!.servedFiles(from: 0, until: .max) }
            #expect(afterStop.filter { $0.node == "node-0" }.allSatisfy { $0.servedUntilEpochSeconds == Self.start + 100 })
        }
    }

    /// Folders with the repository's plugins and `experiments`, for a reload.
    static func folders(experiments: [PluginSource]) throws -> ScriptFolders {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quanzi-nodes-\(UUID().uuidString)")
        let plugins = root.appendingPathComponent("plugins"), experimentsFolder = root.appendingPathComponent("experiments")
        for folder in [plugins, experimentsFolder] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        for source in try PluginSource.folder(PostgresServiceTests.repository.appendingPathComponent("plugins").path) {
            try source.code.write(to: plugins.appendingPathComponent(source.fileName), atomically: true, encoding: .utf8)
        }
        for source in experiments {
            try source.code.write(to: experimentsFolder.appendingPathComponent(source.fileName), atomically: true, encoding: .utf8)
        }
        return ScriptFolders(plugins: plugins.path, experiments: experimentsFolder.path)
    }
}
