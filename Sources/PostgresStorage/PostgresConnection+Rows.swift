import Logging
import PostgresNIO

extension PostgresConnection {
    /// Every row of `query`, decoded as a tuple of columns (for the wallet's async transactions).
    func rows<each Column: PostgresDecodable>(
        _ query: PostgresQuery, as type: (repeat each Column).Type, logger: Logger
    ) async throws -> [(repeat each Column)] {
        var decoded: [(repeat each Column)] = []
        for try await row in try await self.query(query, logger: logger) { decoded.append(try row.decode(type)) }
        return decoded
    }

    /// The first column of every row.
    func values<Value: PostgresDecodable>(_ query: PostgresQuery, as type: Value.Type, logger: Logger) async throws -> [Value] {
        var decoded: [Value] = []
        for try await row in try await self.query(query, logger: logger) { decoded.append(try row.decode(type)) }
        return decoded
    }
}
