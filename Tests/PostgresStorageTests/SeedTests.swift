import Core
import Foundation
import Ledger
import LuaHost
@_spi(LedgerStore) import PostgresStorage
@_spi(LedgerStore) import Service
import Social
@_spi(LedgerStore) import SQLiteStorage
import Testing

/// `quanzi seed` on PostgreSQL: the demo world goes through `StorageBackend.bulkWrite` and the
/// wallet on either backend, so one seed must build the same world on both.
@Suite("the demo world on both backends", PostgresTestDatabase.available)
struct SeedTests {
    static let options = DemoWorld.Options(users: 300, seed: 7)  // as DemoWorldTests: every kind of row occurs

    /// What the world is made of, read through the storage protocols (no SQL dialect).
    struct World: Equatable, Sendable {
        var summary: DemoWorld.Summary
        var users: [UserProfile]
        var posts: [Post]
        var friends: [[UserID]]
        var balancesFen: [Int64?]
        var scores: [UserID: Int]
        var ledgerProblems: [String]
    }

    static func seed(_ service: QuanziService) async throws -> World {
        let summary = try await DemoWorld.seed(service, options: options)
        let report = try await service.wallet.verify()
        return try await Backend.offPool {
            let users = try service.users.page(afterID: nil, limit: options.users + 1)
            let posts = try service.posts.posts(Array(1...Int64(summary.posts + 1)))
            return World(
                summary: summary, users: users, posts: posts.keys.sorted().compactMap { posts[$0] },
                friends: try users.map { try service.friends.friends(of: $0.id).sorted() },
                balancesFen: try users.map { try service.balanceFen(of: $0.id) }, scores: try service.credit.allScores(),
                ledgerProblems: report.problems.map(\.description))
        }
    }

    static func service(storage: any StorageBackend, clock: ManualClock) async throws -> QuanziService {
        let repository = PostgresServiceTests.repository
        let plugins = try PluginSet.load(directory: repository.appendingPathComponent("plugins").path)
        let experiments = try ExperimentSet.load(directory: repository.appendingPathComponent("experiments").path)
        return try await Backend.offPool { try QuanziService(storage: storage, plugins: plugins, experiments: experiments, clock: clock) }
    }

    @Test("one seed builds the same users, posts, friendships and balances on SQLite and PostgreSQL; the ledger verifies")
    func sameWorld() async throws {
        let database = try QuanziDatabase.temporary(name: "seed")
        defer { try? database.removeFiles() }
        let sqlite = try await Self.seed(
            try await Self.service(storage: SQLiteBackend(database: database), clock: ManualClock(epochSeconds: Backend.startEpochSeconds)))
        let postgres = try await PostgresTestDatabase.withBackend { backend in
            try await Self.seed(try await Self.service(storage: backend, clock: ManualClock(epochSeconds: Backend.startEpochSeconds)))
        }
        #expect(sqlite.users.count == Self.options.users && sqlite.posts.count == sqlite.summary.posts)
        #expect(sqlite.summary.transfers > 0 && sqlite.summary.tips > 0 && sqlite.summary.redPackets > 0 && sqlite.summary.comments > 0)
        #expect(sqlite.ledgerProblems.isEmpty && postgres.ledgerProblems.isEmpty, "ledger verify passes on both")
        #expect(postgres.summary == sqlite.summary)
        #expect(postgres.users == sqlite.users)
        #expect(postgres.posts == sqlite.posts)
        #expect(postgres.friends == sqlite.friends)
        #expect(postgres.balancesFen == sqlite.balancesFen)
        #expect(postgres.scores == sqlite.scores)
    }

    @Test("a bulk write on PostgreSQL runs once: a failing one is not retried and writes nothing")
    func bulkWriteRunsOnce() async throws {
        try await PostgresTestDatabase.withBackend { backend in
            let runs = try await Backend.offPool { () throws -> Int in
                var runs = 0
                do {
                    try backend.bulkWrite { writer in
                        runs += 1
                        try writer.insertUser(UserProfile(id: UserID(1), displayName: "a", createdAtEpochSeconds: 0))
                        try writer.insertUser(UserProfile(id: UserID(1), displayName: "a again", createdAtEpochSeconds: 0))
                    }
                } catch {
                    // A unique violation: PostgreSQL's retryable kind, yet the body ran once.
                }
                return runs
            }
            #expect(runs == 1)
            #expect(try await Backend.offPool { try backend.users.count() } == 0, "the failed transaction wrote nothing")
        }
    }
}
