import Logging
import PostgresNIO

/// One connection, inside or outside a transaction, for the synchronous stores. Every call
/// blocks the calling thread until PostgreSQL answers (see ``QuanziPostgresDatabase`` for why that is
/// safe and where it may be called from).
struct PostgresSession {
    let connection: PostgresConnection
    let logger: Logger
    /// Counts every statement (``QuanziPostgresDatabase/statementCounts``), as a write when the
    /// session is a write transaction.
    let database: QuanziPostgresDatabase
    let writing: Bool

    /// Runs one statement and returns every row it produced.
    @discardableResult
    func execute(_ query: PostgresQuery) throws -> PostgresQueryResult {
        database.countStatement(writing: writing)
        return try connection.query(query, logger: logger).wait()
    }

    /// Rows the statement inserted, updated or deleted.
    func changes(_ query: PostgresQuery) throws -> Int {
        try execute(query).metadata.rows ?? 0
    }

    /// Every row, decoded as a tuple of columns.
    func rows<each Column: PostgresDecodable>(_ query: PostgresQuery, as type: (repeat each Column).Type) throws -> [(repeat each Column)] {
        try execute(query).map { try $0.decode(type) }
    }

    /// The first row, decoded as a tuple of columns.
    func row<each Column: PostgresDecodable>(_ query: PostgresQuery, as type: (repeat each Column).Type) throws -> (repeat each Column)? {
        try execute(query).first.map { try $0.decode(type) }
    }

    /// The first column of every row.
    func values<Value: PostgresDecodable>(_ query: PostgresQuery, as type: Value.Type) throws -> [Value] {
        try execute(query).map { try $0.decode(type) }
    }

    /// The first column of the first row, or `nil` without rows.
    func value<Value: PostgresDecodable>(_ query: PostgresQuery, as type: Value.Type) throws -> Value? {
        try execute(query).first.map { try $0.decode(type) }
    }

    /// The rows as they arrive, without holding them all (no backpressure: `onRow` must be quick).
    func stream(_ query: PostgresQuery, _ onRow: @escaping @Sendable (PostgresRow) throws -> Void) throws {
        database.countStatement(writing: writing)
        _ = try connection.query(query, logger: logger, onRow).wait()
    }
}
