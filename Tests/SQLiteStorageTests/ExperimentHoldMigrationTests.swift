import Core
import Experiments
import Foundation
import GRDB
@testable import SQLiteStorage
import Testing

@Suite("experiment holds migration on SQLite")
struct ExperimentHoldMigrationTests {
    @Test("v12 keeps every recorded change, accepts held and released, refuses other kinds, and stays append-only")
    func migrationKeepsChanges() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quanzi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("v11.sqlite").path
        do {
            let old = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(old, upTo: "v11-identity-looks")
            try old.write { db in
                try db.execute(sql: """
                    INSERT INTO experiment_changes (experiment_id, revision, kind, status, step, traffic, variant, at, actor, reason, evidence)
                      VALUES ('e', 1, 'started', 'running', 0, 0.2, NULL, 10, 'watcher', 'started', '["exposed: a 1"]'),
                             ('e', 2, 'shipped', 'shipped', 0, 1, 'treatment', 20, 'cli', 'won', '[]');
                    """)
                #expect(throws: DatabaseError.self) {
                    try db.execute(sql: "INSERT INTO experiment_changes (experiment_id, revision, kind, status, step, traffic, at, actor, reason) VALUES ('f', 1, 'held', 'running', 0, 0.2, 30, 'cli', 'x')")
                }
            }
        }
        let database = try QuanziDatabase(path: path)
        defer { try? database.pool.close() }
        #expect(database.migrationsApplied.contains("v12-experiment-holds"))
        let store = ExperimentStore(database: database)
        let kept = try store.allChanges()["e"] ?? []
        #expect(kept.map(\.kind) == [.started, .shipped] && kept[1].variant == "treatment" && kept[0].evidence == ["exposed: a 1"])
        let held = ExperimentChange(experimentID: "f", revision: 1, kind: .held, status: .running, step: 0, traffic: 0.2, atEpochSeconds: 30,
                                    actor: "admin:1", reason: "wait")
        #expect(try store.record(held))
        #expect(try store.lifecycles()["f"]?.held == true)
        try database.pool.write { db in
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO experiment_changes (experiment_id, revision, kind, status, step, traffic, at, actor, reason) VALUES ('f', 2, 'paused', 'running', 0, 0.2, 30, 'cli', 'x')")
            }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE experiment_changes SET reason = 'edited' WHERE experiment_id = 'f'") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "DELETE FROM experiment_changes WHERE experiment_id = 'e'") }
        }
    }
}
