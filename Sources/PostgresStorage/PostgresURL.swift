import Foundation
import PostgresNIO

/// Turns `postgres://user[:password]@host[:port]/database` into a client configuration: the form
/// `--db` and `QUANZI_PG_URL` take. TLS is off: the supported deployment is PostgreSQL on the
/// same host or a private network (`make pg-up` listens on 127.0.0.1 only).
public enum PostgresURL {
    public struct Invalid: Error, Hashable, Sendable, CustomStringConvertible {
        public let url: String
        public var description: String { "not a postgres://user@host[:port]/database URL: \(url)" }
    }

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// The configuration for `url`; the pool holds at most `connectionsMax` connections.
    /// With `nodeID`, every connection sets `quanzi.node` to it, and every event row it inserts
    /// records it as its `origin` (the column's default; see ``PostgresEventMigrations``).
    public static func configuration(_ url: String, connectionsMax: Int = 20, nodeID: String? = nil) throws -> PostgresClient.Configuration {
        let parts = try Parts(url)
        var configuration = PostgresClient.Configuration(
            host: parts.host, port: parts.port, username: parts.user, password: parts.password, database: parts.database,
            tls: .disable)
        configuration.options.maximumConnections = connectionsMax
        if let nodeID { configuration.options.additionalStartupParameters = [(nodeSetting, nodeID)] }
        return configuration
    }

    /// The configuration of one connection to `url`, for ``QuanziPostgresDatabase``'s blocking pool.
    public static func connectionConfiguration(_ url: String, nodeID: String? = nil) throws -> PostgresConnection.Configuration {
        let parts = try Parts(url)
        var configuration = PostgresConnection.Configuration(
            host: parts.host, port: parts.port, username: parts.user, password: parts.password, database: parts.database,
            tls: .disable)
        if let nodeID { configuration.options.additionalStartupParameters = [(nodeSetting, nodeID)] }
        return configuration
    }

    /// The session setting naming the node a connection belongs to (a startup parameter, so it
    /// holds from the first statement and no pool can forget it).
    public static let nodeSetting = "quanzi.node"

    /// `url` without its password, for messages.
    public static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return url }
        parts.password = "***"
        return parts.string ?? url
    }

    struct Parts {
        var host: String
        var port: Int
        var user: String
        var password: String?
        var database: String

        init(_ url: String) throws {
            guard isPostgres(url), let parts = URLComponents(string: url), let host = parts.host, !host.isEmpty,
                let user = parts.user, !user.isEmpty
            else { throw Invalid(url: url) }
            let database = String(parts.path.drop(while: { $0 == "/" }))
            self.host = host
            port = parts.port ?? 5432
            self.user = user
            password = parts.password
            self.database = database.isEmpty ? user : database
        }
    }
}
