import Foundation
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import Server

/// Keeps every record logged through it, for tests to read.
final class CapturedLogs: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])
    var all: [Record] { records.withLock { $0 } }

    func logger(level: Logger.Level) -> Logger {
        var logger = Logger(label: "quanzi.http.test") { _ in Handler(captured: self) }
        logger.logLevel = level
        return logger
    }

    fileprivate func append(_ record: Record) { records.withLock { $0.append(record) } }

    struct Handler: LogHandler {
        let captured: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            captured.append(Record(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}

@Suite("request logs")
struct RequestLogTests {
    @Test("one structured line per request at info: method, path, route, status, duration and caller")
    func oneLinePerRequest() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        let captured = CapturedLogs()
        try await fixture.app(logger: captured.logger(level: .info)).test(.router) { client in
            _ = try await client.call(.get, "/v1/users/404", token: token)
            _ = try await client.call(.get, "/healthz")
        }
        let requests = captured.all.filter { $0.message == "request" }
        #expect(requests.count == 2)
        let lookup = try #require(requests.first)
        #expect(lookup.level == .info)
        #expect(lookup.metadata["method"] == "GET" && lookup.metadata["path"] == "/v1/users/404")
        #expect(lookup.metadata["route"] == "/v1/users/{id}" && lookup.metadata["status"] == "404")
        #expect(lookup.metadata["user_id"] == "2" && Int(lookup.metadata["duration_us"] ?? "") != nil)
        #expect(requests.last?.metadata["user_id"] == nil, "healthz has no caller")
    }

    @Test("above info, ordinary requests write nothing")
    func quietAboveInfo() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        let captured = CapturedLogs()
        try await fixture.app(logger: captured.logger(level: .warning)).test(.router) { client in
            _ = try await client.call(.get, "/v1/users/2", token: token)
            _ = try await client.call(.get, "/v1/users/404", token: token)
        }
        #expect(captured.all.isEmpty)
    }
}
