import Core
import Foundation
@_spi(LedgerStore) import PostgresStorage
import Social
import Synchronization
import Testing

/// The synchronous stores on two nodes (separate connection pools) racing on the same rows:
/// each race ends as it would on SQLite's single writer.
@Suite("PostgreSQL stores on two nodes", PostgresTestDatabase.available)
struct TwoNodeStoresTests {
    static let racers = 16

    /// Runs `body(node, index)` from `racers` threads at once, alternating nodes.
    static func race<T: Sendable>(_ nodes: [QuanziPostgresDatabase], _ body: @escaping @Sendable (QuanziPostgresDatabase, Int) -> T) async throws -> [T] {
        try await Backend.offPool {
            let results = Mutex<[T]>([])
            DispatchQueue.concurrentPerform(iterations: racers) { index in
                let result = body(nodes[index % nodes.count], index)
                results.withLock { $0.append(result) }
            }
            return results.withLock { $0 }
        }
    }

    @Test("the same friend request sent from both nodes at once is pending once; the rest are refused by code")
    func friendRequestRace() async throws {
        try await PostgresTestDatabase.withNodeDatabases(2) { nodes in
            try await Backend.offPool {
                for id: Int64 in 1...2 { try PostgresUserStore(database: nodes[0]).insert(UserProfile(id: UserID(id)), isAdmin: false) }
            }
            let outcomes = try await Self.race(nodes) { node, index in
                do {
                    // Both directions: the one-pending rule holds for the pair, not the direction.
                    let (from, to) = index % 4 < 2 ? (UserID(1), UserID(2)) : (UserID(2), UserID(1))
                    _ = try PostgresFriendStore(database: node).sendRequest(from: from, to: to, at: 0)
                    return "sent"
                } catch {
                    return (error as? QuanziError)?.code.rawValue ?? "\(error)"
                }
            }
            #expect(outcomes.sorted() == Array(repeating: "friend_request_pending", count: Self.racers - 1) + ["sent"], "\(outcomes)")
        }
    }

    @Test("affinity bumps from both nodes at once are all counted (no lost update)")
    func affinityRace() async throws {
        try await PostgresTestDatabase.withNodeDatabases(2) { nodes in
            try await Backend.offPool {
                for id: Int64 in 1...2 { try PostgresUserStore(database: nodes[0]).insert(UserProfile(id: UserID(id)), isAdmin: false) }
            }
            let failures = try await Self.race(nodes) { node, _ in
                (try? PostgresAffinityStore(database: node).bump(viewer: UserID(1), author: UserID(2), .like, at: 1_000)) == nil
            }
            #expect(!failures.contains(true))
            // No time passes, so no decay: the score is the sum of the weights.
            let expected = Affinity.normalized(Double(Self.racers) * Affinity.Interaction.like.weight)
            let affinity = try await Backend.offPool {
                try PostgresAffinityStore(database: nodes[1]).affinity(from: UserID(1), to: UserID(2), at: 1_000)
            }
            #expect(abs(affinity - expected) < 1e-12)
        }
    }

    @Test("one user's first exposure recorded from both nodes at once is recorded once")
    func exposureRace() async throws {
        try await PostgresTestDatabase.withNodeDatabases(2) { nodes in
            try await Backend.offPool { try PostgresUserStore(database: nodes[0]).insert(UserProfile(id: UserID(1)), isAdmin: false) }
            let firsts = try await Self.race(nodes) { node, index in
                (try? PostgresExperimentStore(database: node).recordExposure(experiment: "e", user: UserID(1), variant: "v\(index)", at: Int64(index))) ?? false
            }
            #expect(firsts.filter { $0 }.count == 1)
            let exposures = try await Backend.offPool { try PostgresExperimentStore(database: nodes[1]).exposures(of: "e") }
            #expect(exposures.count == 1)
        }
    }
}
