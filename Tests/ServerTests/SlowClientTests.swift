import Foundation
import Hummingbird
import NIOCore
import HummingbirdTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@testable import Server

/// Slow and half-open sockets, as a slowloris attack opens them: they must not starve the
/// server, and each is closed once its read deadline passes.
@Suite("slow clients")
struct SlowClientTests {
    /// A plain TCP socket to the server, for sending partial requests no HTTP client would.
    struct RawSocket {
        let descriptor: Int32

        init(port: Int) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                Glibc.close(descriptor)
                throw POSIXError(.ECONNREFUSED)
            }
        }

        func send(_ text: String) {
            _ = text.utf8CString.withUnsafeBufferPointer { Glibc.send(descriptor, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
        }

        /// Whether the server has closed its side: reading what it sent (a response, say) ends
        /// in end of file or a reset. Never blocks (a test blocking a cooperative thread would
        /// starve the others).
        var isClosedByServer: Bool {
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while true {
                let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if count > 0 { continue }
                return count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
            }
        }

        /// Whether a read would not block: data or end of file has arrived.
        var isReadable: Bool {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            return poll(&poller, 1, 0) > 0
        }

        func close() { _ = Glibc.close(descriptor) }
    }

    static func app(_ fixture: APIFixture, connections: ConnectionLimits) -> some ApplicationProtocol {
        buildApplication(
            service: fixture.service, configuration: ServerConfiguration(host: "127.0.0.1", port: 0, limits: fixture.limits, connections: connections),
            metrics: fixture.metrics, logger: APIFixture.quietLogger)
    }

    /// Polls until `done` or 30 s passed: a liveness bound far above every deadline here, not a
    /// measure of speed. Sleeps between polls, never blocking a cooperative thread.
    static func waitUntil(_ done: () -> Bool) async throws {
        let started = ContinuousClock.now
        while !done(), ContinuousClock.now - started < .seconds(30) { try await Task.sleep(for: .milliseconds(10)) }
    }

    /// How many of `sockets` the server closed within the liveness bound.
    static func closedCount(_ sockets: [RawSocket]) async throws -> Int {
        var open = sockets
        try await waitUntil {
            open.removeAll { $0.isClosedByServer }
            return open.isEmpty
        }
        return sockets.count - open.count
    }

    @Test("hundreds of half-open sockets leave /healthz answering, and are closed at the header deadline")
    func halfOpenHeaders() async throws {
        let fixture = try APIFixture()
        let limits = ConnectionLimits(idleTimeoutSeconds: 60, headerReadTimeoutSeconds: 1, bodyReadTimeoutSeconds: 60, connectionsMax: 2_000)
        try await Self.app(fixture, connections: limits).test(.live) { client in
            let port = try #require(client.port)
            let sockets = try (0..<300).map { _ in try RawSocket(port: port) }
            defer { sockets.forEach { $0.close() } }
            for socket in sockets { socket.send("GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Slow: ") }
            #expect(try await client.call(.get, "/healthz").status == .ok)
            #expect(try await Self.closedCount(sockets) == sockets.count)
            let metrics = try await client.call(.get, "/metrics").text
            #expect(metrics.contains(#"quanzi_http_read_timeouts_total{phase="header"} 300"#))
        }
    }

    @Test("a body that trickles is cut at the body deadline; a connection with no request waits for the idle timeout")
    func slowBodyAndIdle() async throws {
        let fixture = try APIFixture()
        // The test client's own keep-alive connection idles while the slow body is cut: an idle
        // timeout of a few seconds closed it under a loaded machine ("I/O on closed channel").
        let limits = ConnectionLimits(idleTimeoutSeconds: 10, headerReadTimeoutSeconds: 1, bodyReadTimeoutSeconds: 1, connectionsMax: 2_000)
        try await Self.app(fixture, connections: limits).test(.live) { client in
            let port = try #require(client.port)
            let slowBody = try RawSocket(port: port)
            let idle = try RawSocket(port: port)
            defer { [slowBody, idle].forEach { $0.close() } }
            slowBody.send("POST /v1/wallet/transfers HTTP/1.1\r\nHost: slow\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"to_")
            #expect(try await Self.closedCount([slowBody]) == 1)
            let metrics = try await client.call(.get, "/metrics").text
            #expect(metrics.contains(#"quanzi_http_read_timeouts_total{phase="body"} 1"#))
            // The idle socket sent nothing: the header deadline never started; Hummingbird's idle timeout closes it.
            #expect(metrics.contains(#"quanzi_http_read_timeouts_total{phase="header"} 0"#))
            #expect(try await Self.closedCount([idle]) == 1)
        }
    }

    /// Runs the application as `quanzi serve` does (HummingbirdTesting's live server drops the
    /// connection bound when it rebinds to a free port), with `body` given the port.
    static func serving(_ fixture: APIFixture, connections: ConnectionLimits, _ body: @Sendable (Int) async throws -> Void) async throws {
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = buildApplication(
            service: fixture.service, configuration: ServerConfiguration(host: "127.0.0.1", port: 0, limits: fixture.limits, connections: connections),
            metrics: fixture.metrics, logger: APIFixture.quietLogger, onServerRunning: { channel in portSink.yield(channel.localAddress?.port ?? 0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await body(port)
            group.cancelAll()
        }
    }

    @Test("past the connection bound, a new client waits until a slow one is closed, then is served")
    func connectionBound() async throws {
        let fixture = try APIFixture()
        let slowCount = 20
        // The header deadline is what frees a place; it must outlast accepting all twenty on a
        // loaded machine (at 1 s they were all closed again before the count was read).
        let limits = ConnectionLimits(idleTimeoutSeconds: 60, headerReadTimeoutSeconds: 4, bodyReadTimeoutSeconds: 60, connectionsMax: slowCount)
        try await Self.serving(fixture, connections: limits) { port in
            let sockets = try (0..<slowCount).map { _ in try RawSocket(port: port) }
            defer { sockets.forEach { $0.close() } }
            for socket in sockets { socket.send("GET /healthz HTTP/1.1\r\n") }
            // Wait until the server has accepted them all: then it is at its bound.
            try await Self.waitUntil { fixture.metrics.openConnections.current >= slowCount }
            #expect(fixture.metrics.openConnections.current == slowCount)
            let late = try RawSocket(port: port)
            defer { late.close() }
            late.send("GET /healthz HTTP/1.1\r\nHost: late\r\n\r\n")
            try await Self.waitUntil { late.isReadable }
            // It was accepted only once the server had closed a slow socket to make room.
            #expect(sockets.contains { $0.isClosedByServer })
            var answer = [UInt8](repeating: 0, count: 64)
            let count = recv(late.descriptor, &answer, answer.count, Int32(MSG_DONTWAIT))
            #expect(String(decoding: answer.prefix(max(0, count)), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        }
    }
}
