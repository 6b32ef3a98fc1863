import Logging
import PostgresNIO
@testable import PostgresStorage
import Testing

/// The wallet's pipelined transactions: statements sent back to back still commit or roll back
/// as one, the failure reported is the statement that failed (not the refusals after it), and
/// the connection goes back to the pool outside any transaction.
@Suite("PostgreSQL pipelined transactions", PostgresTestDatabase.available)
struct PostgresPipelineTests {
    static func makeTable(_ client: PostgresClient) async throws {
        try await client.query("CREATE TABLE pipelined (id BIGINT PRIMARY KEY, note TEXT NOT NULL)", logger: PostgresTestDatabase.logger)
    }

    static func notes(_ client: PostgresClient) async throws -> [String] {
        var notes: [String] = []
        for try await note in try await client.query("SELECT note FROM pipelined ORDER BY id", logger: PostgresTestDatabase.logger)
            .decode(String.self)
        {
            notes.append(note)
        }
        return notes
    }

    @Test("writes sent without waiting commit together, and a read sent after them sees them")
    func commitsTogether() async throws {
        try await PostgresTestDatabase.withNodes(1, connectionsPerNode: 1) { clients in
            let client = clients[0]
            try await Self.makeTable(client)
            let transactions = PostgresTransactions(client: client, logger: PostgresTestDatabase.logger)
            let seen = try await transactions.pipelined { pipeline in
                _ = try await pipeline.rows(pipeline.sendRead("SELECT 1"), as: Int.self)
                pipeline.sendWrite("INSERT INTO pipelined VALUES (1, 'one')")
                pipeline.sendWrite("INSERT INTO pipelined VALUES (2, 'two')")
                return try await pipeline.rows(pipeline.sendRead("SELECT count(*) FROM pipelined"), as: Int.self)
            }
            #expect(seen == [2])
            #expect(try await Self.notes(client) == ["one", "two"])
        }
    }

    @Test("a write that fails unawaited rolls back the whole transaction and is the error reported")
    func failedWriteRollsBack() async throws {
        try await PostgresTestDatabase.withNodes(1, connectionsPerNode: 1) { clients in
            let client = clients[0]
            try await Self.makeTable(client)
            try await client.query("INSERT INTO pipelined VALUES (1, 'kept')", logger: PostgresTestDatabase.logger)
            let transactions = PostgresTransactions(client: client, logger: PostgresTestDatabase.logger)
            var failure: (any Error)?
            do {
                try await transactions.pipelined { pipeline in
                    _ = try await pipeline.rows(pipeline.sendRead("SELECT 1"), as: Int.self)
                    pipeline.sendWrite("INSERT INTO pipelined VALUES (2, 'lost')")
                    pipeline.sendWrite("INSERT INTO pipelined VALUES (1, 'duplicate')")  // unique violation
                    pipeline.sendWrite("INSERT INTO pipelined VALUES (3, 'refused')")  // 25P02 after it
                }
            } catch {
                failure = error
            }
            // The duplicate's unique violation, which PostgresRetry may retry; not the refusal after it.
            #expect(failure.flatMap(PostgresRetry.sqlState(of:)) == "23505")
            #expect(try await Self.notes(client) == ["kept"])
            // The one connection is back in the pool outside a transaction: the next one commits.
            try await transactions.pipelined { pipeline in
                _ = try await pipeline.rows(pipeline.sendRead("SELECT 1"), as: Int.self)
                pipeline.sendWrite("INSERT INTO pipelined VALUES (4, 'after')")
            }
            #expect(try await Self.notes(client) == ["kept", "after"])
        }
    }

    @Test("a body that throws after sending writes leaves nothing of them")
    func throwingBodyRollsBack() async throws {
        struct Refused: Error {}
        try await PostgresTestDatabase.withNodes(1, connectionsPerNode: 1) { clients in
            let client = clients[0]
            try await Self.makeTable(client)
            let transactions = PostgresTransactions(client: client, logger: PostgresTestDatabase.logger)
            await #expect(throws: Refused.self) {
                try await transactions.pipelined { pipeline in
                    _ = try await pipeline.rows(pipeline.sendRead("SELECT 1"), as: Int.self)
                    pipeline.sendWrite("INSERT INTO pipelined VALUES (1, 'lost')")
                    throw Refused()
                }
            }
            #expect(try await Self.notes(client).isEmpty)
            // The pool's one connection is outside any transaction: SAVEPOINT is refused there
            // (25P01), and would succeed inside the rolled-back one had it been left open.
            var refusal: (any Error)?
            do { try await client.query("SAVEPOINT probe", logger: PostgresTestDatabase.logger) } catch { refusal = error }
            #expect(refusal.flatMap(PostgresRetry.sqlState(of:)) == "25P01")
        }
    }
}
