/// Where and how the HTTP service listens.
public struct ServerConfiguration: Sendable {
    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8080

    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    public var limits: ServerLimits

    public init(
        host: String = ServerConfiguration.defaultHost, port: Int = ServerConfiguration.defaultPort, limits: ServerLimits = .default
    ) {
        self.host = host
        self.port = port
        self.limits = limits
    }
}
