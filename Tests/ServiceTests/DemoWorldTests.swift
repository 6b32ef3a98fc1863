import Core
import GRDB
import Testing

@testable import Service

@Suite("demo world")
struct DemoWorldTests {
    /// Every post, like and report row, as text, for comparing two worlds.
    func digest(_ fixture: ServiceFixture) throws -> String {
        try fixture.service.database!.pool.read { db in
            let posts = try String.fetchAll(db, sql: "SELECT id || circle_id || author_id || kind || body || created_at || status FROM posts ORDER BY id")
            let likes = try String.fetchAll(db, sql: "SELECT post_id || '-' || user_id FROM likes ORDER BY post_id, user_id")
            let friends = try String.fetchAll(db, sql: "SELECT user_id || '-' || friend_id || '@' || since FROM friendships ORDER BY 1")
            let money = try String.fetchAll(db, sql: "SELECT kind || debit_account_id || '>' || credit_account_id || ':' || amount_fen FROM ledger_transfers ORDER BY id")
            let shares = try String.fetchAll(db, sql: "SELECT red_packet_id || '/' || share_index || '=' || amount_fen || '@' || coalesce(claimer_id, 0) FROM red_packet_shares ORDER BY 1")
            return (posts + likes + friends + money + shares).joined(separator: "\n")
        }
    }

    @Test("the same seed builds the same world, and every post passed its circle's rule")
    func deterministic() async throws {
        let first = try ServiceFixture()
        let second = try ServiceFixture()
        let summary = try await DemoWorld.seed(first.service, options: DemoWorld.Options(users: 300, seed: 7))
        _ = try await DemoWorld.seed(second.service, options: DemoWorld.Options(users: 300, seed: 7))
        #expect(try digest(first) == digest(second))
        #expect(summary.posts > 0 && summary.likes > 0 && summary.views > 0)
        #expect(summary.topUps == 300 && summary.transfers > 0 && summary.tips > 0 && summary.redPackets > 0)
        let report = try await first.service.wallet.verify()
        #expect(report.problems.isEmpty, "the seeded ledger verifies")
        let campusAuthors = try first.service.database!.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT DISTINCT u.gender, u.occupation, u.verified FROM posts p JOIN users u ON u.id = p.author_id
                WHERE p.circle_id = 'campus-diary'
                """)
        }
        #expect(!campusAuthors.isEmpty)
        for row in campusAuthors {
            #expect(row["gender"] as String == "female" && row["occupation"] as String == "student" && row["verified"] as Bool)
        }
    }
}
