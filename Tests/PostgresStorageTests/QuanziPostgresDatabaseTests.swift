import Core
import Foundation
@_spi(LedgerStore) import PostgresStorage
import Social
import Synchronization
import Testing

@Suite("QuanziPostgresDatabase: synchronous stores", PostgresTestDatabase.available)
struct QuanziPostgresDatabaseTests {
    @Test("more blocking callers than connections: every write lands once, none waits forever")
    func callersOutnumberConnections() async throws {
        try await PostgresTestDatabase.withDatabase { database, _ in
            let users = PostgresUserStore(database: database)
            let posts = PostgresPostStore(database: database)
            let callers = 24  // the scratch database allows 4 connections
            let post = try await Backend.offPool {
                for id in 1...Int64(callers + 1) { try users.insert(UserProfile(id: UserID(id), createdAtEpochSeconds: 0), isAdmin: false) }
                try posts.syncCircles([
                    CircleDefinition(id: CircleID("c"), title: "c", location: SourceLocation(file: "c.lua", line: 1), ruleLocations: [:])
                ])
                return try posts.create(circle: CircleID("c"), author: UserID(1), kind: .text, body: "x", verdict: .visible, at: 0)
            }
            let failures = Atomic<Int>(0)
            try await Backend.offPool {
                DispatchQueue.concurrentPerform(iterations: callers) { index in
                    do {
                        try posts.like(post.id, by: UserID(Int64(index + 2)), at: 1)
                        _ = try posts.comment(on: post.id, by: UserID(Int64(index + 2)), body: "hi", at: 2)
                    } catch {
                        failures.add(1, ordering: .relaxed)
                    }
                }
            }
            #expect(failures.load(ordering: .relaxed) == 0)
            let stored = try await Backend.offPool { try posts.post(post.id) }
            #expect(stored?.likeCount == callers && stored?.commentCount == callers)
        }
    }

    @Test("a closed database refuses further calls")
    func closed() async throws {
        try await PostgresTestDatabase.withDatabase { database, _ in
            let users = PostgresUserStore(database: database)
            database.close()
            await #expect(throws: QuanziPostgresDatabaseClosed.self) { try await Backend.offPool { try users.count() } }
        }
    }

    #if DEBUG
    @Test("a store called from async code traps in debug builds instead of tying up a pool thread")
    func trapsInAsyncCode() async {
        await #expect(processExitsWith: .failure) {
            // The check runs before a connection is taken. Without it the call fails to connect
            // (nothing listens on port 1), which is caught: the process would exit normally.
            let database = try? QuanziPostgresDatabase(url: "postgres://quanzi@127.0.0.1:1/none")
            _ = try? database.map { try PostgresUserStore(database: $0).count() }
        }
    }
    #endif
}
