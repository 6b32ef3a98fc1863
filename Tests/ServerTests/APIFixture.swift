import HTTPTypes
import Core
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import LuaHost
import NIOCore
import Service
import Social
import SQLiteStorage
import Testing

@testable import Server

/// A service over a fresh temporary database with the repository's plugins and experiments, a
/// manual clock, and the HTTP application built over it exactly as `quanzi serve` builds it.
final class APIFixture: Sendable {
    static let start: Int64 = 1_767_225_600  // 2026-01-01

    let service: QuanziService
    let clock = ManualClock(epochSeconds: APIFixture.start)
    let metrics = ServerMetrics()
    let limits: ServerLimits

    /// Where reloads read from (nil: the server cannot reload).
    let scriptFolders: ScriptFolders?

    /// With `scriptFolders`, the scripts are loaded from there and `POST /v1/admin/reload`
    /// reloads them; otherwise from the repository's folders.
    init(limits: ServerLimits = ServerLimits(apiRate: .unlimited, moneyRate: .unlimited), scriptFolders: ScriptFolders? = nil) throws {
        let folders = scriptFolders ?? ScriptFolders(
            plugins: Self.repository.appendingPathComponent("plugins").path, experiments: Self.repository.appendingPathComponent("experiments").path)
        let loaded = try folders.load()
        service = try QuanziService(database: QuanziDatabase.temporary(), plugins: loaded.plugins, experiments: loaded.experiments, clock: clock)
        self.limits = limits
        self.scriptFolders = scriptFolders
    }

    deinit { try? service.database!.removeFiles() }

    static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    func app(port: Int = 0, logger: Logger = APIFixture.quietLogger) -> some ApplicationProtocol {
        buildApplication(
            service: service, configuration: ServerConfiguration(host: "127.0.0.1", port: port, limits: limits, scriptFolders: scriptFolders),
            metrics: metrics,
            logger: logger)
    }

    /// Request logs would only bury test output (`RequestLogTests` captures them).
    static let quietLogger: Logger = {
        var logger = Logger(label: "quanzi.http.test")
        logger.logLevel = .critical
        return logger
    }()

    /// A verified user in Hangzhou (a female student unless told otherwise).
    @discardableResult
    func user(
        _ id: Int64, gender: Gender = .female, occupation: Occupation = .student, verified: Bool = true, city: String? = "Hangzhou",
        admin: Bool = false
    ) throws -> UserProfile {
        let profile = UserProfile(
            id: UserID(id), displayName: "user \(id)", verified: verified, verifiedAtEpochSeconds: verified ? Self.start - 86_400 : nil,
            gender: gender, birthYear: 2004, occupation: occupation, school: "ZJU", city: city,
            createdAtEpochSeconds: Self.start - 100 * 86_400)
        try service.users.insert(profile, isAdmin: admin)
        return profile
    }

    /// A token for a user (created with `user` defaults if missing), expiring after `ttlDays` when given.
    func token(_ id: Int64, admin: Bool = false, moderator: Bool = false, ttlDays: Int? = nil) async throws -> String {
        if try service.users.user(UserID(id)) == nil { try user(id) }
        let issuer = TokenIssuer(store: TokenStore(database: service.database!), wallet: service.wallet, clock: clock)
        return try await issuer.issue(for: UserID(id), admin: admin, moderator: moderator, ttlDays: ttlDays).token
    }

    /// Puts money in a user's account directly through the wallet.
    func fund(_ id: Int64, fen: Int64) async throws {
        let result = try await service.wallet.topUp(UserID(id), amountFen: fen, idempotencyKey: "fixture-\(id)-\(fen)-\(UUID())")
        #expect(result.receipt != nil)
    }
}

extension RateLimitPolicy {
    /// For tests that are not about rate limits.
    static let unlimited = RateLimitPolicy(name: "unlimited", burst: 1_000_000, refillPerSecond: 1_000_000)
}

extension TestClientProtocol {
    /// A request with an optional bearer token, JSON body and Idempotency-Key.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil, key: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        if json != nil { headers[.contentType] = "application/json" }
        return try await executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object.
    func object() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
    }

    /// The `error.code` of an error body.
    func errorCode() throws -> String? {
        let error = try object()["error"] as? [String: Any]
        #expect(error?["message"] is String)
        return error?["code"] as? String
    }
}

/// `[String: Any]` field access that fails the test with the field's name.
func field<T>(_ object: [String: Any], _ name: String, as type: T.Type = T.self) throws -> T {
    try #require(object[name] as? T, "field '\(name)' missing or not \(T.self) in \(object)")
}
