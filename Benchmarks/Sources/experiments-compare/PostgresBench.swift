import Foundation
import Logging
import NIOCore
import PostgresNIO
import PostgresStorage

/// The world in a scratch PostgreSQL database (created, migrated, dropped here), loaded with COPY.
enum PostgresBench {
    static let logger: Logger = {
        var logger = Logger(label: "experiments-compare")
        logger.logLevel = .error
        return logger
    }()

    /// COPY sends the rows in chunks of about this size.
    static let copyChunkBytes = 1 << 20

    /// Runs `body` with the URL of a fresh, migrated database on the server of `url`; drops it afterwards.
    static func withScratchDatabase<T: Sendable>(url: String, _ body: (_ scratchURL: String, PostgresClient) async throws -> T) async throws -> T {
        let name = "quanzi_bench_experiments_\(ProcessInfo.processInfo.processIdentifier)"
        try await withClient(try PostgresURL.configuration(url, connectionsMax: 1)) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var configuration = try PostgresURL.configuration(url, connectionsMax: 2)
        configuration.database = name
        guard let scratchURL = URL(string: url)?.deletingLastPathComponent().appendingPathComponent(name).absoluteString else {
            throw CocoaError(.fileReadInvalidFileName, userInfo: [NSLocalizedDescriptionKey: PostgresURL.redacted(url)])
        }
        do {
            let result = try await withClient(configuration) { client in
                try await PostgresMigrations.migrate(client, logger: logger)
                return try await body(scratchURL, client)
            }
            try await drop(name, url: url)
            return result
        } catch {
            try? await drop(name, url: url)
            throw error
        }
    }

    static func drop(_ name: String, url: String) async throws {
        try await withClient(try PostgresURL.configuration(url, connectionsMax: 1)) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }

    static func withClient<T: Sendable>(_ configuration: PostgresClient.Configuration, _ body: (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Users, exposures, events and viewed pages, then VACUUM ANALYZE (as autovacuum would have
    /// done on a live table: the first read after a bulk load otherwise rewrites every page to
    /// set hint bits, a cost of the load, not of the analysis).
    static func load(_ world: BenchWorld, into client: PostgresClient) async throws {
        try await client.query(
            """
            INSERT INTO users (id, display_name, verified, gender, occupation, created_at)
            SELECT id, '', FALSE, 'unspecified', 'other', 0 FROM generate_series(1, \(Int64(BenchWorld.userCount))) AS id
            """, logger: logger)
        try await client.withConnection { connection in
            try await connection.copyFrom(
                table: "exposures", columns: ["experiment_id", "phase", "user_id", "variant", "first_exposed_at"], logger: logger
            ) { writer in
                var buffer = ByteBuffer()
                for id in 1...BenchWorld.userCount {
                    let (variant, at) = BenchWorld.exposure(of: id)
                    buffer.writeString("bench\t1\t\(id)\t\(variant)\t\(at)\n")
                }
                try await writer.write(buffer)
            }
            try await connection.copyFrom(
                table: "events", columns: ["kind", "at", "user_id", "target_user_id", "amount_fen"], logger: logger
            ) { writer in
                var generator = BenchWorld.Generator()
                var buffer = ByteBuffer()
                for _ in 0..<world.blockCount {
                    generator.block(
                        event: { kind, at, actor, target, amountFen in
                            buffer.writeString("\(kind)\t\(at)\t\(actor)\t\(target)\t\(amountFen.map(String.init) ?? "\\N")\n")
                        }, page: { _, _, _ in })
                    if buffer.readableBytes >= copyChunkBytes {
                        try await writer.write(buffer)
                        buffer.clear()
                    }
                }
                try await writer.write(buffer)
            }
            let postIDs = "{" + (1...BenchWorld.postsPerPage).map(String.init).joined(separator: ",") + "}"
            try await connection.copyFrom(
                table: "page_views", columns: ["viewer_id", "circle_id", "at", "post_ids", "author_ids"], logger: logger
            ) { writer in
                var generator = BenchWorld.Generator()
                var buffer = ByteBuffer()
                for _ in 0..<world.blockCount {
                    generator.block(
                        event: { _, _, _, _, _ in },
                        page: { viewer, at, authors in
                            buffer.writeString("\(viewer)\tbench\t\(at)\t\(postIDs)\t{\(authors.map(String.init).joined(separator: ","))}\n")
                        })
                    if buffer.readableBytes >= copyChunkBytes {
                        try await writer.write(buffer)
                        buffer.clear()
                    }
                }
                try await writer.write(buffer)
            }
        }
        try await client.query("VACUUM (ANALYZE) events, page_views, exposures, users", logger: logger)
    }

    /// Reads the metrics from the database at `url` (in its own process, see main.swift).
    static func analyse(url: String) throws -> AnalysisRun {
        let database = try QuanziPostgresDatabase(url: url, connectionsMax: 1, logger: logger)
        defer { database.close() }
        return try AnalysisRun.measure(backend: "PostgreSQL") {
            try PostgresMetricReader(database: database).observations(for: BenchWorld.spec, metrics: BenchWorld.metrics, excluding: [])
        }
    }
}
