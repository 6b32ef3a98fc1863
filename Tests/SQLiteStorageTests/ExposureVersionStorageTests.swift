import Core
import Experiments
import Foundation
import GRDB
import StorageModel
import Testing

@testable import SQLiteStorage

/// Exposures on SQLite carry their phase and versions (`v7-exposure-versions`): one per
/// (experiment, phase, user), earlier rows kept as phase 1 with no versions, and the metric
/// reader counting only the phase it is asked for.
@Suite("exposure versions on SQLite")
struct ExposureVersionStorageTests {
    static let experimentVersion = "0123456789abcdef", pluginVersion = "fedcba9876543210"

    @Test("v7 keeps earlier exposures as phase 1 with no versions; a new phase exposes a user again, the same phase does not")
    func migrationKeepsRows() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quanzi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("v6.sqlite").path
        do {
            let old = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(old, upTo: "v6-experiment-lifecycle")
            try old.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO users (id, display_name, verified, gender, occupation, created_at)
                          VALUES (1, 'one', 0, 'female', 'student', 0), (2, 'two', 0, 'male', 'other', 0);
                        INSERT INTO exposures (experiment_id, user_id, variant, first_exposed_at)
                          VALUES ('e1', 1, 'control', 100), ('e1', 2, 'treatment', 200), ('e2', 1, 'treatment', 150);
                        """)
            }
        }
        let database = try QuanziDatabase(path: path)
        defer { try? database.pool.close() }
        // v7 first; later migrations follow it.
        #expect(database.migrationsApplied.first == "v7-exposure-versions")
        let store = ExperimentStore(database: database)
        #expect(
            try store.exposures(of: "e1") == [
                ExperimentExposure(userID: UserID(1), variant: "control", firstExposedAtEpochSeconds: 100, phase: 1),
                ExperimentExposure(userID: UserID(2), variant: "treatment", firstExposedAtEpochSeconds: 200, phase: 1),
            ])
        #expect(
            Set(try store.allExposureKeys()) == [
                ExposureKey(experiment: "e1", phase: 1, user: UserID(1)), ExposureKey(experiment: "e1", phase: 1, user: UserID(2)),
                ExposureKey(experiment: "e2", phase: 1, user: UserID(1)),
            ])

        let again = ExperimentExposure(
            userID: UserID(1), variant: "treatment", firstExposedAtEpochSeconds: 900, phase: 2,
            experimentVersion: Self.experimentVersion, pluginVersion: Self.pluginVersion)
        #expect(try store.recordExposure(again, experiment: "e1"))
        #expect(try !store.recordExposure(again, experiment: "e1"), "once per phase")
        var samePhase = again
        samePhase.phase = 1
        #expect(try !store.recordExposure(samePhase, experiment: "e1"), "phase 1 already has user 1")
        #expect(try store.exposures(of: "e1", phase: 2) == [again])
        #expect(try store.exposures(of: "e1").map(\.phase) == [1, 2, 1], "by user, then phase")
        #expect(try store.exposureCounts(of: "e1", phase: 1) == ["control": 1, "treatment": 1])
        #expect(try store.exposureCounts(of: "e1", phase: 2) == ["treatment": 1])

        // The schema refuses what the code never writes: a malformed version, phase 0, an empty node.
        for values in [
            "'e3', 1, 1, 'control', 0, 'not-a-version', NULL, NULL", "'e3', 0, 1, 'control', 0, NULL, NULL, NULL",
            "'e3', 1, 1, 'control', 0, NULL, '0123456789ABCDEF', NULL", "'e3', 1, 1, 'control', 0, NULL, NULL, ''",
        ] {
            #expect(throws: DatabaseError.self, "\(values)") {
                try database.pool.write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO exposures (experiment_id, phase, user_id, variant, first_exposed_at, experiment_version, plugin_version, node)
                            VALUES (\(values))
                            """)
                }
            }
        }
    }

    @Test("the metric reader counts the spec's phase only, and splits its users by the versions of their exposure")
    func readerByPhaseAndVersion() throws {
        let database = try QuanziDatabase.temporary()
        defer { try? database.removeFiles() }
        try PageViewTests.addUsers(1...6, to: database)
        let store = ExperimentStore(database: database)
        func expose(_ user: Int64, _ variant: String, at: Int64, phase: Int, version: String?) throws {
            try store.recordExposure(
                ExperimentExposure(
                    userID: UserID(user), variant: variant, firstExposedAtEpochSeconds: at, phase: phase,
                    experimentVersion: version, pluginVersion: version == nil ? nil : Self.pluginVersion), experiment: "e1")
        }
        // Phase 1: users 1–4. Phase 2: users 1 and 2 again, 5 and 6 new, under two experiment versions.
        for user in Int64(1)...4 { try expose(user, user % 2 == 0 ? "control" : "treatment", at: 100, phase: 1, version: nil) }
        try expose(1, "treatment", at: 1_000, phase: 2, version: Self.experimentVersion)
        try expose(2, "control", at: 1_000, phase: 2, version: Self.experimentVersion)
        try expose(5, "treatment", at: 2_000, phase: 2, version: "1111111111111111")
        try expose(6, "control", at: 2_000, phase: 2, version: "1111111111111111")
        try database.bulkWrite { writer in
            for user in Int64(1)...6 {
                // One view before any phase-2 exposure, one after every exposure.
                for at: Int64 in [500, 2_500] {
                    try writer.recordView(1, circle: CircleID("nearby"), by: UserID(user), author: UserID(1), at: at)
                }
            }
        }
        let views = PageViewTests.viewsMetric
        var spec = PageViewTests.spec
        spec.phase = 2
        for reader: any MetricReading in [MetricReader(database: database), IncrementalMetricReader(database: database)] {
            let observed = try reader.observations(for: spec, metrics: [views], excluding: [], before: nil, splitByVersion: true)
            #expect(observed.variants.map(\.users) == [2, 2])
            #expect(observed.variants.allSatisfy { $0.metrics["views"]?.sumValue == 2 }, "each user's view after their phase-2 exposure")
            #expect(observed.versions.map(\.users) == [2, 2])
            #expect(observed.versions.map(\.version.experimentVersion) == ["0123456789abcdef", "1111111111111111"])
            #expect(observed.versions.map(\.usersPerVariant) == [[1, 1], [1, 1]])
            #expect(observed.byVersion.map(\.observations.variants).map { $0.map(\.users) } == [[1, 1], [1, 1]])
            var phaseOne = spec
            phaseOne.phase = 1
            let first = try reader.observations(for: phaseOne, metrics: [views], excluding: [UserID(4)], before: nil, splitByVersion: false)
            #expect(first.variants.map(\.users).reduce(0, +) == 3 && first.forcedUsersExcluded == 1)
            #expect(first.variants.allSatisfy { $0.metrics["views"]?.sumValue == Double(2 * $0.users) })
            #expect(
                first.versions.map(\.version) == [ExposureVersion(experimentVersion: nil, pluginVersion: nil)] && first.byVersion.isEmpty)
        }
    }
}
