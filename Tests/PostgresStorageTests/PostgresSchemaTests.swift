@_spi(LedgerStore) import Service
import Core
import Ledger
import PostgresNIO
@_spi(LedgerStore) import PostgresStorage
import Testing

/// The PostgreSQL schema refuses what the SQLite one refuses, even when the Swift code is
/// bypassed: append-only events, red packets fixed and settled once, shares claimed once, one
/// pending friend request per pair, 32-byte token digests, ledger accounts only for users.
@Suite("PostgreSQL schema guards", PostgresTestDatabase.available)
struct PostgresSchemaTests {
    @Test("every migration runs once, under its SQLite name")
    func migrationsOnce() async throws {
        try await PostgresTestDatabase.withNodes(1) { clients in
            #expect(try await PostgresMigrations.migrate(clients[0], logger: PostgresTestDatabase.logger).isEmpty)
            var recorded: [String] = []
            for try await name in try await clients[0].query("SELECT name FROM quanzi_migrations ORDER BY applied_at, name", logger: PostgresTestDatabase.logger)
                .decode(String.self)
            {
                recorded.append(name)
            }
            #expect(Set(recorded) == Set(PostgresMigrations.names))
        }
    }

    @Test("bad rows and edits are refused")
    func refusals() async throws {
        try await PostgresTestDatabase.withNodes(1) { clients in
            let client = clients[0]
            let logger = PostgresTestDatabase.logger
            let wallet = try await WalletService.onPostgres(client: client, logger: logger)
            try await PostgresTestDatabase.insertUsers([1, 2, 3], on: client)
            try await wallet.openAccounts(for: [UserID(1), UserID(2), UserID(3)])
            #expect(try await wallet.topUp(UserID(1), amountFen: 100, idempotencyKey: "t").code == "ok")
            let packet = try #require(
                try await wallet.createRedPacket(
                    RedPacketRequest(sender: UserID(1), split: .fixed, totalFen: 10, shareCount: 2, audience: .users([UserID(2)]), idempotencyKey: "rp")
                ).receipt)
            #expect(try await wallet.claimRedPacket(packet.id, by: UserID(2)).code == "ok")
            let refused: [String] = [
                "UPDATE events SET kind = 'x'",
                "DELETE FROM events",
                "TRUNCATE events",
                "UPDATE red_packets SET total_fen = 11 WHERE id = \(packet.id.rawValue)",
                "DELETE FROM red_packets",
                "UPDATE red_packet_shares SET claimer_id = 3 WHERE claimer_id = 2",
                "UPDATE red_packet_shares SET amount_fen = 6",
                "INSERT INTO ledger_accounts (id, kind, user_id, created_at) VALUES (9, 'user', 9, 0)",
                "INSERT INTO friend_requests (from_user_id, to_user_id, status, created_at) VALUES (1, 2, 'pending', 0), (2, 1, 'pending', 0)",
                "INSERT INTO api_tokens (user_id, token_sha256, is_admin, created_at) VALUES (1, '\\x0102', FALSE, 0)",
                "INSERT INTO users (id, display_name, verified, gender, occupation, created_at) VALUES (7, 'x', TRUE, 'male', 'other', 0)",
                "INSERT INTO posts (circle_id, author_id, kind, body, created_at, status) VALUES ('nope', 1, 'text', 'x', 0, 'visible')",
            ]
            for statement in refused {
                await #expect(throws: PSQLError.self, "\(statement)") {
                    try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
            }
            // Settling is allowed once: a second settle is refused.
            try await client.query("UPDATE red_packets SET settled_at = 1 WHERE id = \(packet.id.rawValue)", logger: logger)
            await #expect(throws: PSQLError.self) {
                try await client.query("UPDATE red_packets SET settled_at = 2 WHERE id = \(packet.id.rawValue)", logger: logger)
            }
        }
    }

    /// A database from before `v4-page-views` (emulated: that migration undone): its view
    /// events move to `page_views` one page each, read back by the seen query, and the viewer
    /// index on events goes.
    @Test("earlier view events move to page_views")
    func viewEventsMoveToPageViews() async throws {
        try await PostgresTestDatabase.withNodes(1) { clients in
            let (client, logger) = (clients[0], PostgresTestDatabase.logger)
            for statement in [
                "DROP TABLE page_views",
                "CREATE INDEX events_viewer_seen ON events(user_id, kind, circle_id, at, post_id)",
                "DELETE FROM quanzi_migrations WHERE name = 'v4-page-views'",
                """
                INSERT INTO events (kind, at, user_id, circle_id, post_id, target_user_id)
                VALUES ('post.viewed', 1000, 2, 'nearby', 1, 3), ('post.viewed', 1001, 2, 'nearby', 2, 3),
                       ('like.created', 1002, 2, 'nearby', 1, NULL)
                """,
            ] {
                try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            #expect(try await PostgresMigrations.migrate(client, logger: logger) == ["v4-page-views"])
            var pages: [String] = []
            for try await page in try await client.query(
                "SELECT viewer_id || ' ' || circle_id || ' ' || at || ' ' || post_ids::text || ' ' || author_ids::text FROM page_views ORDER BY id",
                logger: logger
            ).decode(String.self) {
                pages.append(page)
            }
            #expect(pages == ["2 nearby 1000 {1} {3}", "2 nearby 1001 {2} {3}"])
            var indexes = 0
            for try await count in try await client.query(
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'events_viewer_seen'", logger: logger
            ).decode(Int.self) {
                indexes = count
            }
            #expect(indexes == 0)
            await #expect(throws: PSQLError.self) { try await client.query("DELETE FROM page_views", logger: logger) }
        }
    }
}
