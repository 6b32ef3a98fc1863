import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@_spi(LedgerStore) import PostgresStorage
@testable import Server
@_spi(LedgerStore) import Service
import Testing

/// The console on two nodes sharing one PostgreSQL database: each node's heartbeat and the
/// version each serves are read from the database, so either node's console shows both.
@Suite("the console on PostgreSQL nodes", PostgresTestDatabase.available)
struct PostgresConsoleTests {
    @Test("health lists every node by its heartbeat and circles show the version each node serves")
    func nodesOnTheConsole() async throws {
        try await PostgresTestDatabase.withBackends(2) { backends in
            let clock = ManualClock(epochSeconds: PostgresServiceTests.start)
            let nodes = [
                try await PostgresServiceTests.service(on: backends[0], clock: clock),
                try await PostgresServiceTests.service(on: backends[1], clock: clock),
            ]
            try await Backend.offPool { try nodes[0].users.insert(PostgresServiceTests.profile(1), isAdmin: true) }
            let recorders = nodes.compactMap { $0.startRecordingScriptVersions(onFailure: { @Sendable error in Issue.record(error) }) }
            #expect(recorders.count == 2)
            try await Backend.offPool { for recorder in recorders { try recorder.recordServing() } }
            let admin = try await TokenIssuer(store: nodes[0].storage.tokens, wallet: nodes[0].wallet, clock: clock).issue(for: UserID(1), admin: true).token
            try await quietApplication(nodes[1]).test(.router) { client in
                let form = try await client.executeRequest(uri: "/console/login", method: .get, headers: [:], body: nil)
                let loginCookie = try #require(form.headers[values: .setCookie].first { $0.hasPrefix("quanzi_console_login=") })
                let loginValue = String(loginCookie.split(separator: ";")[0].dropFirst("quanzi_console_login=".count))
                let body = "token=\(admin)&csrf=\(loginValue)"
                let login = try await client.executeRequest(
                    uri: "/console/login", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "quanzi_console_login=\(loginValue)"],
                    body: ByteBuffer(string: body))
                #expect(login.status == .seeOther, "an admin token issued through node one logs in on node two")
                let session = try #require(login.headers[values: .setCookie].first { $0.hasPrefix("quanzi_console=") })
                let cookie: HTTPFields = [.cookie: String(session.split(separator: ";")[0])]
                let health = String(buffer: try await client.executeRequest(uri: "/console/health", method: .get, headers: cookie, body: nil).body)
                for backend in backends { #expect(health.contains(backend.nodeID), "health lists \(backend.nodeID)") }
                #expect(health.contains("\(backends[1].nodeID) (this node)"))
                let circles = String(buffer: try await client.executeRequest(uri: "/console/circles", method: .get, headers: cookie, body: nil).body)
                let version = try #require(nodes[0].scripts.pluginVersion(ofCircle: PostgresServiceTests.circle))
                for backend in backends { #expect(circles.contains("\(backend.nodeID): <code>\(version)</code>")) }
                let list = String(buffer: try await client.executeRequest(uri: "/console", method: .get, headers: cookie, body: nil).body)
                let experimentVersion = try #require(nodes[0].scripts.experimentVersion(of: "campus-comment-credit"))
                for backend in backends { #expect(list.contains("\(backend.nodeID): <code>\(experimentVersion)</code>")) }
                let page = String(buffer: try await client.executeRequest(
                    uri: "/console/experiments/campus-comment-credit", method: .get, headers: cookie, body: nil).body)
                #expect(page.components(separatedBy: "began serving campus-comment-credit.lua version \(experimentVersion)").count == 3,
                        "the timeline shows each node's load of the file")
            }
        }
    }
}
