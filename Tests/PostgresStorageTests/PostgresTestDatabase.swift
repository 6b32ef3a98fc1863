import Foundation
import Logging
import PostgresNIO
@_spi(LedgerStore) import PostgresStorage
import Testing

/// A scratch database per test on the server named by `QUANZI_PG_URL` (set by `make test-pg`),
/// created migrated and dropped afterwards, so tests never see each other's rows.
enum PostgresTestDatabase {
    static let url = ProcessInfo.processInfo.environment["QUANZI_PG_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// The condition every PostgreSQL test carries: without a server they are skipped, with why.
    static let available = Testing.ConditionTrait.enabled(
        if: url != nil, "QUANZI_PG_URL is not set: run `make test-pg` (it starts PostgreSQL with `make pg-up`)")

    /// Errors only: a client leased before its `run()` task starts waits for it (correct) but
    /// logs a warning per lease, which would bury the test output.
    static let logger: Logger = {
        var logger = Logger(label: "quanzi.postgres-tests")
        logger.logLevel = .error
        return logger
    }()

    /// Runs `body` with `nodes` separate clients (separate connection pools, like separate
    /// service nodes) on a fresh, migrated database; drops the database afterwards.
    static func withNodes<Result: Sendable>(
        _ nodes: Int, connectionsPerNode: Int = 8, _ body: @Sendable ([PostgresClient]) async throws -> Result
    ) async throws -> Result {
        try await withScratch(nodes, connectionsPerNode: connectionsPerNode) { _, clients in try await body(clients) }
    }

    /// A fresh, migrated database with one client, and a ``QuanziPostgresDatabase`` (the synchronous
    /// stores' connections) on it; both are closed and the database dropped afterwards.
    static func withDatabase<Result: Sendable>(
        _ body: @Sendable (QuanziPostgresDatabase, PostgresClient) async throws -> Result
    ) async throws -> Result {
        try await withScratch(1, connectionsPerNode: 4) { url, clients in
            let database = try QuanziPostgresDatabase(url: url, connectionsMax: 4, logger: logger)
            defer { database.close() }
            return try await body(database, clients[0])
        }
    }

    /// `count` separate ``QuanziPostgresDatabase``s (connection pools, like separate service
    /// nodes) on one fresh, migrated database.
    static func withNodeDatabases<Result: Sendable>(
        _ count: Int, _ body: @Sendable ([QuanziPostgresDatabase]) async throws -> Result
    ) async throws -> Result {
        try await withScratch(1, connectionsPerNode: 1) { url, _ in
            let databases = try (0..<count).map { _ in try QuanziPostgresDatabase(url: url, connectionsMax: 4, logger: logger) }
            defer { for database in databases { database.close() } }
            return try await body(databases)
        }
    }

    /// A fresh, migrated database behind a ``PostgresBackend`` (what `quanzi serve --db
    /// postgres://…` opens), closed and dropped afterwards.
    static func withBackend<Result: Sendable>(_ body: @Sendable (PostgresBackend) async throws -> Result) async throws -> Result {
        try await withScratch(1, connectionsPerNode: 1) { url, _ in
            let backend = try await PostgresBackend.open(url: url, connectionsMax: 4, logger: logger)
            do {
                let result = try await body(backend)
                try backend.close()
                return result
            } catch {
                try? backend.close()
                throw error
            }
        }
    }

    /// `count` ``PostgresBackend``s (separate nodes, each with its own node id and pools) on one
    /// fresh, migrated database, closed and dropped afterwards.
    static func withBackends<Result: Sendable>(_ count: Int, _ body: @Sendable ([PostgresBackend]) async throws -> Result) async throws -> Result {
        try await withScratch(1, connectionsPerNode: 1) { url, _ in
            var backends: [PostgresBackend] = []
            do {
                for node in 0..<count {
                    backends.append(try await PostgresBackend.open(url: url, connectionsMax: 4, nodeID: "node-\(node)", logger: logger))
                }
                let result = try await body(backends)
                for backend in backends { try backend.close() }
                return result
            } catch {
                for backend in backends { try? backend.close() }
                throw error
            }
        }
    }

    /// Users with the given ids and nothing else about them (wallet tests need account holders).
    static func insertUsers(_ ids: [Int64], on client: PostgresClient) async throws {
        try await client.query(
            """
            INSERT INTO users (id, display_name, verified, gender, occupation, created_at)
            SELECT id, 'load-' || id, FALSE, 'unspecified', 'other', 0 FROM unnest(\(ids)::bigint[]) AS u(id)
            """, logger: logger)
    }

    private static func withScratch<Result: Sendable>(
        _ nodes: Int, connectionsPerNode: Int, _ body: @Sendable (_ url: String, [PostgresClient]) async throws -> Result
    ) async throws -> Result {
        let url = try #require(url)
        let name = "quanzi_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        _ = try await withClients([try PostgresURL.configuration(url, connectionsMax: 1)]) { admin in
            try await admin[0].query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var configuration = try PostgresURL.configuration(url, connectionsMax: connectionsPerNode)
        configuration.database = name
        let scratchURL = try #require(URL(string: url)).deletingLastPathComponent().appendingPathComponent(name).absoluteString
        do {
            let result = try await withClients(Array(repeating: configuration, count: nodes)) { clients in
                try await PostgresMigrations.migrate(clients[0], logger: logger)
                return try await body(scratchURL, clients)
            }
            try await drop(name, url: url)
            return result
        } catch {
            try? await drop(name, url: url)
            throw error
        }
    }

    private static func drop(_ name: String, url: String) async throws {
        _ = try await withClients([try PostgresURL.configuration(url, connectionsMax: 1)]) { admin in
            try await admin[0].query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }

    /// Runs each client for the duration of `body` (a client serves queries only while `run()` runs).
    static func withClients<Result: Sendable>(
        _ configurations: [PostgresClient.Configuration], _ body: @Sendable ([PostgresClient]) async throws -> Result
    ) async throws -> Result {
        let clients = configurations.map { PostgresClient(configuration: $0, backgroundLogger: logger) }
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            for client in clients { group.addTask { await client.run(); return nil } }
            do {
                let result = try await body(clients)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}
