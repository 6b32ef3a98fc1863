import Core
import Foundation
import GRDB
@testable import SQLiteStorage
import Testing

@Suite("moderation review migration on SQLite")
struct ModerationMigrationTests {
    @Test("v9 keeps held and decided items, queues them at their time, and its triggers refuse a second appeal and an anonymous decision")
    func migrationKeepsItems() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quanzi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("v7.sqlite").path
        do {
            let old = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(old, upTo: "v7-exposure-versions")
            try old.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO users (id, display_name, verified, gender, occupation, created_at) VALUES (1, 'one', 0, 'female', 'student', 0);
                        INSERT INTO circles (id, title) VALUES ('c', 'C');
                        INSERT INTO posts (id, circle_id, author_id, kind, body, created_at, status, hidden_reason) VALUES (1, 'c', 1, 'text', 'a', 10, 'hidden', 'held'),
                          (2, 'c', 1, 'text', 'b', 20, 'hidden', 'hidden');
                        INSERT INTO moderation_queue (post_id, reason, detail, created_at) VALUES (1, 'keywords', 'x', 10);
                        INSERT INTO moderation_queue (post_id, reason, detail, created_at, outcome, decided_at) VALUES (2, 'reports', '3 reports', 20, 'removed', 30);
                        """)
            }
        }
        let database = try QuanziDatabase(path: path)
        defer { try? database.pool.close() }
        #expect(database.migrationsApplied.contains("v9-moderation-review"))
        let store = ModerationStore(database: database)
        let pending = try store.pending(afterID: nil, limit: 10)
        #expect(pending.map(\.item.postID) == [1] && pending[0].item.outcome == .pending)
        #expect(try store.summary() == .init(pending: 1, oldestQueuedAtEpochSeconds: 10))
        let removed = try #require(try store.latestItem(ofPost: 2))
        #expect(removed.outcome == .removed && removed.decidedBy == nil && removed.mayBeAppealed)
        try database.pool.write { db in
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "UPDATE moderation_queue SET outcome = 'restored', decided_at = 40 WHERE post_id = 1")
            }
            try db.execute(sql: "UPDATE moderation_queue SET appealed_at = 50, outcome = 'pending', decided_at = NULL WHERE post_id = 2")
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "UPDATE moderation_queue SET appealed_at = 60 WHERE post_id = 2")
            }
        }
    }

    @Test("the identity audit is append-only")
    func identityLooksAppendOnly() throws {
        let database = try QuanziDatabase.temporary()
        defer { try? database.removeFiles() }
        try database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO users (id, display_name, verified, gender, occupation, created_at) VALUES (1, 'one', 0, 'female', 'student', 0);
                    INSERT INTO circles (id, title) VALUES ('c', 'C');
                    INSERT INTO posts (id, circle_id, author_id, kind, body, created_at, status, hidden_reason) VALUES (1, 'c', 1, 'text', 'a', 10, 'hidden', 'held');
                    INSERT INTO moderation_queue (post_id, reason, detail, created_at, queued_at) VALUES (1, 'keywords', 'x', 10, 10);
                    INSERT INTO identity_looks (moderator_id, item_id, author_id, at) VALUES (1, 1, 1, 20);
                    """)
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE identity_looks SET at = 0") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "DELETE FROM identity_looks") }
        }
    }
}
