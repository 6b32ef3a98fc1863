import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Logging
import LuaHost
import NIOCore
import PostgresNIO
@_spi(LedgerStore) import PostgresStorage
import Server
@_spi(LedgerStore) import Service
import Social
import Testing

/// The service and the HTTP API over `PostgresBackend`, as `quanzi serve --db postgres://…`
/// runs them: synchronous service calls on a thread that may block (the server's `Blocking`
/// pool, `Backend.offPool` here), the wallet async.
@Suite("the service and the HTTP API on PostgreSQL", PostgresTestDatabase.available)
struct PostgresServiceTests {
    static let start = Backend.startEpochSeconds
    static let circle = CircleID("campus-diary")

    static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// The repository's plugins and experiments over `backend`, with a manual clock; the service
    /// starts on a blocking thread (it reads the circles' windows).
    static func service(on backend: PostgresBackend, clock: ManualClock) async throws -> QuanziService {
        let plugins = try PluginSet.load(directory: repository.appendingPathComponent("plugins").path)
        let experiments = try ExperimentSet.load(directory: repository.appendingPathComponent("experiments").path)
        return try await Backend.offPool { try QuanziService(storage: backend, plugins: plugins, experiments: experiments, clock: clock) }
    }

    /// A verified female student in Hangzhou: campus-diary lets her post and read.
    static func profile(_ id: Int64) -> UserProfile {
        UserProfile(
            id: UserID(id), displayName: "user \(id)", verified: true, verifiedAtEpochSeconds: start - 86_400, gender: .female,
            birthYear: 2004, occupation: .student, school: "ZJU", city: "Hangzhou", createdAtEpochSeconds: start - 100 * 86_400)
    }

    @Test("users, friends, posts, money, a feed and ledger verify through QuanziService on PostgresBackend")
    func serviceEndToEnd() async throws {
        try await PostgresTestDatabase.withBackend { backend in
            let clock = ManualClock(epochSeconds: Self.start)
            let service = try await Self.service(on: backend, clock: clock)
            #expect(service.storage.location.hasPrefix("postgres://"))
            let post = try await Backend.offPool {
                for id in Int64(1)...3 { try service.users.insert(Self.profile(id), isAdmin: id == 1) }
                try service.friends.befriend(UserID(1), UserID(2), at: Self.start)
                return try service.createPost(by: UserID(2), in: Self.circle, body: "第一条 on PostgreSQL")
            }
            #expect(try await service.wallet.openAccounts(for: [UserID(1), UserID(2), UserID(3)]) == 3)
            #expect(try await service.wallet.topUp(UserID(1), amountFen: 10_000, idempotencyKey: "top").code == "ok")
            #expect(try await service.transfer(from: UserID(1), to: UserID(3), amountFen: 700, idempotencyKey: "pay").code == "ok")
            #expect(try await service.transfer(from: UserID(1), to: UserID(3), amountFen: 700, idempotencyKey: "pay").code == "replayed")
            #expect(try await service.tip(post.id, by: UserID(1), amountFen: 300, idempotencyKey: "tip").code == "ok")
            // A red packet to friends asks the social graph (off the pool) for the claimer.
            let packet = try #require(try await service.wallet.createRedPacket(
                RedPacketRequest(sender: UserID(1), split: .fixed, totalFen: 200, shareCount: 2, audience: .friends, idempotencyKey: "rp", seed: 3)
            ).receipt)
            #expect(try await service.wallet.claimRedPacket(packet.id, by: UserID(2)).code == "ok")
            #expect(try await service.wallet.claimRedPacket(packet.id, by: UserID(3)).code == "not_in_audience")

            clock.advance(bySeconds: 60)
            let (feed, seen, balances) = try await Backend.offPool {
                let feed = try service.feed(for: UserID(1), in: Self.circle)
                try service.views.flush()
                let seen = try service.views.seenPostIDs(UserID(1), circle: Self.circle, since: Self.start, before: Self.start + 3_600)
                let balances = try (1...3).map { try service.balanceFen(of: UserID(Int64($0))) }
                return (feed, seen, balances)
            }
            #expect(feed.items.map(\.post.id) == [post.id])
            #expect(feed.items.first?.post.body == "第一条 on PostgreSQL")
            #expect(seen == [post.id], "the page was recorded as viewed")
            #expect(balances == [10_000 - 700 - 300 - 200, 300 + 100, 700])
            #expect(try await service.wallet.balanceFen(of: UserID(3)) == 700)
            await service.wallet.flushAffinity()  // written behind the money on PostgreSQL
            let affinity = try await Backend.offPool { try service.affinities.affinity(from: UserID(1), to: UserID(2), at: Self.start + 60) }
            #expect(affinity > 0, "the tip strengthened affinity")

            // `quanzi ledger verify --db postgres://…`: the backend's wallet replays every entry.
            let report = try await WalletService.standalone(store: try backend.makeLedgerStore(), clock: clock).verify()
            #expect(report.isConsistent, "\(report.problems)")
            #expect(report.redPacketCount == 1 && report.moneyInSystemFen == 10_000, "\(report.summary)")
        }
    }

    @Test("a tip retried after its post was hidden replays the first tip; the same key for another amount is a key reuse")
    func tipRetryAfterHidden() async throws {
        try await PostgresTestDatabase.withBackend { backend in
            let clock = ManualClock(epochSeconds: Self.start)
            let service = try await Self.service(on: backend, clock: clock)
            let post = try await Backend.offPool {
                for id in Int64(1)...5 { try service.users.insert(Self.profile(id), isAdmin: false) }
                return try service.createPost(by: UserID(2), in: Self.circle, body: "to be hidden")
            }
            #expect(try await service.wallet.openAccounts(for: (1...5).map { UserID(Int64($0)) }) == 5)
            #expect(try await service.wallet.topUp(UserID(1), amountFen: 1_000, idempotencyKey: "top").code == "ok")
            let first = try await service.tip(post.id, by: UserID(1), amountFen: 300, idempotencyKey: "tip")
            let receipt = try #require(first.receipt)
            let hidden = try await Backend.offPool {  // campus-diary hides a post at three reports
                try (3...5).map { try service.report(post.id, by: UserID(Int64($0)), reason: "spam") }.last
            }
            #expect(hidden == true)
            #expect(try await service.tip(post.id, by: UserID(1), amountFen: 300, idempotencyKey: "tip") == .replayed(receipt))
            #expect(try await service.tip(post.id, by: UserID(1), amountFen: 1, idempotencyKey: "tip") == .rejected(.idempotencyKeyReused))
            #expect(try await service.wallet.balanceFen(of: UserID(1)) == 700)
        }
    }

    @Test("quanzi serve's application on PostgreSQL answers tokens, a post, a feed and a transfer")
    func httpOnPostgres() async throws {
        try await PostgresTestDatabase.withBackend { backend in
            let clock = ManualClock(epochSeconds: Self.start)
            let service = try await Self.service(on: backend, clock: clock)
            try await Backend.offPool { for id in Int64(1)...3 { try service.users.insert(Self.profile(id), isAdmin: id == 1) } }
            let issuer = TokenIssuer(store: service.storage.tokens, wallet: service.wallet, clock: clock)
            let admin = try await issuer.issue(for: UserID(1), admin: true).token
            let alice = try await issuer.issue(for: UserID(2), admin: false).token
            let bob = try await issuer.issue(for: UserID(3), admin: false).token
            let app = quietApplication(service)
            try await app.test(.router) { client in
                func call(
                    _ method: HTTPRequest.Method, _ uri: String, token: String, json: String? = nil, key: String? = nil
                ) async throws -> TestResponse {
                    var headers: HTTPFields = [.authorization: "Bearer \(token)"]
                    if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
                    if json != nil { headers[.contentType] = "application/json" }
                    return try await client.executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
                }
                func object(_ response: TestResponse) throws -> [String: Any] {
                    try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                }

                let posted = try await call(.post, "/v1/circles/campus-diary/posts", token: bob, json: #"{"body": "hello from PostgreSQL"}"#)
                #expect(posted.status == .created, "\(String(buffer: posted.body))")
                let feed = try await call(.get, "/v1/circles/campus-diary/feed", token: alice)
                #expect(feed.status == .ok)
                let items = try #require(try object(feed)["items"] as? [[String: Any]])
                #expect(items.count == 1)
                #expect((items.first?["post"] as? [String: Any])?["body"] as? String == "hello from PostgreSQL")

                let topUp = try await call(.post, "/v1/wallet/top-ups", token: admin, json: #"{"user_id": 2, "amount_fen": 1000}"#, key: "t1")
                #expect(topUp.status == .created, "\(String(buffer: topUp.body))")
                let transfer = try await call(.post, "/v1/wallet/transfers", token: alice, json: #"{"to_user_id": 3, "amount_fen": 250}"#, key: "p1")
                #expect(transfer.status == .created, "\(String(buffer: transfer.body))")
                let poor = try await call(.post, "/v1/wallet/transfers", token: bob, json: #"{"to_user_id": 2, "amount_fen": 10000}"#, key: "p2")
                #expect(poor.status == .unprocessableContent)
                let wallet = try await call(.get, "/v1/wallet", token: alice)
                #expect(try object(wallet)["balance_fen"] as? Int == 750)
                let history = try await call(.get, "/v1/wallet/history", token: bob)
                #expect((try object(history)["items"] as? [[String: Any]])?.first?["amount_fen"] as? Int == 250)
                // The three money requests went through this node's group committer, as on SQLite.
                let metrics = String(buffer: try await client.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil).body)
                #expect(metrics.contains("quanzi_group_commit_requests 3"), "\(metrics)")
                #expect(metrics.contains("quanzi_group_commit_batches "))
            }
            #expect(try await service.wallet.verify().isConsistent)
        }
    }
}

@Suite("PostgresBackend.open")
struct PostgresBackendOpenTests {
    @Test("refuses a database with pending migrations, naming `quanzi migrate`", PostgresTestDatabase.available)
    func refusesUnmigrated() async throws {
        let url = try #require(PostgresTestDatabase.url)
        let name = "quanzi_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try PostgresURL.configuration(url, connectionsMax: 1)
        _ = try await PostgresTestDatabase.withClients([admin]) { clients in
            try await clients[0].query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: PostgresTestDatabase.logger)
        }
        let scratch = try #require(URL(string: url)).deletingLastPathComponent().appendingPathComponent(name).absoluteString
        await #expect {
            try await PostgresBackend.open(url: scratch, connectionsMax: 1, logger: PostgresTestDatabase.logger)
        } throws: { error in
            guard let error = error as? PostgresSchemaNotCurrent else { return false }
            return error.pending == PostgresMigrations.names && error.description.contains("quanzi migrate")
        }
        _ = try await PostgresTestDatabase.withClients([admin]) { clients in
            try await clients[0].query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: PostgresTestDatabase.logger)
        }
    }

    @Test("its location hides the password")
    func location() {
        #expect(PostgresURL.redacted("postgres://quanzi:secret@db:5432/quanzi") == "postgres://quanzi:***@db:5432/quanzi")
        #expect(PostgresURL.redacted("postgres://quanzi@db/quanzi") == "postgres://quanzi@db/quanzi")
    }
}

/// The HTTP application over `service` as `quanzi serve` builds it, without rate limits (these
/// tests are not about them) and with request logs silenced.
func quietApplication(_ service: QuanziService) -> some ApplicationProtocol {
    var logger = Logger(label: "quanzi.http.test")
    logger.logLevel = .critical
    let unlimited = RateLimitPolicy(name: "unlimited", burst: 1_000_000, refillPerSecond: 1_000_000)
    return buildApplication(
        service: service,
        configuration: ServerConfiguration(host: "127.0.0.1", port: 0, limits: ServerLimits(apiRate: unlimited, moneyRate: unlimited)),
        metrics: ServerMetrics(), logger: logger)
}
