import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// At most `connectionsMax` connections for blocking callers: a caller takes an idle connection,
/// opens a new one while under the limit, or waits for one to come back. Connections are opened
/// lazily and kept open; a connection that failed mid-transaction is closed, not reused.
final class PostgresConnectionPool: @unchecked Sendable {
    let configuration: PostgresConnection.Configuration
    let connectionsMax: Int
    let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private static let nextID = Atomic<Int>(1)

    // Guards everything below.
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var openCount = 0
    private var closed = false

    init(configuration: PostgresConnection.Configuration, connectionsMax: Int, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        precondition(connectionsMax >= 1, "a pool holds at least one connection")
        self.configuration = configuration
        self.connectionsMax = connectionsMax
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Runs `body` on a leased connection; the connection goes back to the pool afterwards,
    /// unless `body` left it unusable (`reusable` false) or it was closed by the server.
    func withConnection<T>(_ body: (PostgresConnection) -> (Result<T, any Error>, reusable: Bool)) throws -> T {
        let connection = try lease()
        let (outcome, reusable) = body(connection)
        release(connection, reusable: reusable)
        return try outcome.get()
    }

    private func lease() throws -> PostgresConnection {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if closed { throw QuanziPostgresDatabaseClosed() }
            if let connection = idle.popLast() {
                if !connection.isClosed { return connection }
                openCount -= 1
                continue
            }
            if openCount < connectionsMax {
                openCount += 1
                condition.unlock()
                let id = Self.nextID.add(1, ordering: .relaxed).oldValue
                let opened = Result {
                    try PostgresConnection.connect(
                        on: eventLoopGroup.next(), configuration: configuration, id: id, logger: logger
                    ).wait()
                }
                condition.lock()
                if case .failure = opened {
                    openCount -= 1
                    condition.signal()
                }
                return try opened.get()
            }
            condition.wait()
        }
    }

    private func release(_ connection: PostgresConnection, reusable: Bool) {
        condition.lock()
        if reusable, !closed, !connection.isClosed {
            idle.append(connection)
        } else {
            openCount -= 1
            connection.close().whenComplete { _ in }
        }
        condition.signal()
        condition.unlock()
    }

    /// A database dropped without `close()` (a CLI command ending) closes its idle connections
    /// without waiting: each is kept alive until its close completes, as postgres-nio requires.
    deinit {
        for connection in idle {
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        }
    }

    /// Closes the idle connections and refuses new leases; leased ones close on release.
    func close() {
        condition.lock()
        closed = true
        let closing = idle
        idle = []
        openCount -= closing.count
        condition.broadcast()
        condition.unlock()
        for connection in closing { try? connection.close().wait() }
    }
}

/// Thrown by a store whose ``QuanziPostgresDatabase`` was closed.
public struct QuanziPostgresDatabaseClosed: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String { "the PostgreSQL database was closed" }
}
