import Core
import Credit
import Foundation
import PostgresNIO
import StorageModel

/// Credit scores on PostgreSQL (SQLiteStorage's `CreditStore`): gathers each user's inputs and the
/// friend/payment graph in one snapshot, scores everyone in one batch
/// (`CreditEngine.computeAll`) and stores the reports in one transaction.
public struct PostgresCreditStore: Sendable {
    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    /// Recomputes every user's score as of `now`; returns how many were scored.
    @discardableResult
    public func recomputeAll(at now: Int64) throws -> Int {
        let (inputs, edges) = try database.read { session in
            (try PostgresCreditInputs.inputs(session, now: now), try PostgresCreditInputs.edges(session, now: now))
        }
        let reports = CreditEngine.computeAll(inputs: inputs, edges: edges).sorted { $0.key < $1.key }
        let json = CreditReportJSON.encode(reports.map(\.value))
        try database.write { session in
            try session.execute(
                """
                INSERT INTO credit_scores (user_id, score, report, computed_at)
                SELECT u, s, r, \(now) FROM unnest(\(reports.map(\.key.rawValue))::bigint[], \(reports.map(\.value.score))::bigint[],
                  \(json)::text[]) AS x(u, s, r)
                ON CONFLICT (user_id) DO UPDATE SET score = excluded.score, report = excluded.report, computed_at = excluded.computed_at
                """)
        }
        return reports.count
    }

    public func score(_ user: UserID) throws -> Int? {
        try database.unsafeRead { session in
            try session.value("SELECT score FROM credit_scores WHERE user_id = \(user.rawValue)", as: Int.self)
        }
    }

    public func allScores() throws -> [UserID: Int] {
        try database.unsafeRead { session in
            var scores: [UserID: Int] = [:]
            for (user, score) in try session.rows("SELECT user_id, score FROM credit_scores", as: (Int64, Int).self) {
                scores[UserID(user)] = score
            }
            return scores
        }
    }

    public func report(_ user: UserID) throws -> CreditReport? {
        let json = try database.unsafeRead { session in
            try session.value("SELECT report FROM credit_scores WHERE user_id = \(user.rawValue)", as: String.self)
        }
        return try json.map { try JSONDecoder().decode(CreditReport.self, from: Data($0.utf8)) }
    }
}

/// The SQL behind credit inputs on PostgreSQL; `CreditInputsAssembly` builds them.
enum PostgresCreditInputs {
    static func inputs(_ session: PostgresSession, now: Int64) throws -> [UserID: CreditInputs] {
        var counts: [Int64: [CreditInputsAssembly.Count: Int]] = [:]
        func collect(_ count: CreditInputsAssembly.Count, _ query: PostgresQuery) throws {
            for (user, value) in try session.rows(query, as: (Int64, Int).self) { counts[user, default: [:]][count] = value }
        }
        let (activeSince, conductSince) = CreditInputsAssembly.windows(now: now)
        try collect(.activeDays, "SELECT user_id, count(DISTINCT at / 86400) FROM events WHERE user_id IS NOT NULL AND at >= \(activeSince) GROUP BY user_id")
        for (count, kind) in [(CreditInputsAssembly.Count.transfer, "transfer"), (.tip, "tip"), (.redPacketCreate, "redpacket_create")] {
            try collect(count, "SELECT initiator_id, count(*) FROM ledger_transfers WHERE kind = \(kind) AND initiator_id IS NOT NULL GROUP BY initiator_id")
        }
        try collect(.topUp, "SELECT credit_account_id, count(*) FROM ledger_transfers WHERE kind = 'topup' GROUP BY credit_account_id")
        try collect(.claims, "SELECT credit_account_id, count(*) FROM ledger_transfers WHERE kind = 'redpacket_claim' GROUP BY credit_account_id")
        try collect(.posts, "SELECT author_id, count(*) FROM posts WHERE created_at >= \(conductSince) GROUP BY author_id")
        try collect(.hidden, """
            SELECT p.author_id, count(DISTINCT p.id) FROM posts p JOIN moderation_queue q ON q.post_id = p.id
            WHERE q.comment_id IS NULL AND p.created_at >= \(conductSince) AND (q.outcome = 'removed' OR (q.outcome = 'pending' AND p.status = 'hidden'))
            GROUP BY p.author_id
            """)
        try collect(.upheld, """
            SELECT p.author_id, count(*) FROM reports r JOIN posts p ON p.id = r.post_id
            WHERE r.created_at >= \(conductSince)
              AND (p.status = 'hidden' OR EXISTS (SELECT 1 FROM moderation_queue q WHERE q.post_id = p.id AND q.comment_id IS NULL AND q.outcome = 'removed'))
            GROUP BY p.author_id
            """)
        try collect(.commentsHidden, """
            SELECT c.author_id, count(DISTINCT c.id) FROM comments c JOIN moderation_queue q ON q.comment_id = c.id
            WHERE c.created_at >= \(conductSince) AND (q.outcome = 'removed' OR (q.outcome = 'pending' AND c.status = 'hidden'))
            GROUP BY c.author_id
            """)
        try collect(.falseReports, """
            SELECT r.reporter_id, count(*) FROM reports r JOIN moderation_queue q ON q.post_id = r.post_id
            WHERE r.created_at >= \(conductSince) AND q.comment_id IS NULL AND q.outcome = 'restored' GROUP BY r.reporter_id
            """)
        let users = try session.rows(
            "SELECT id, created_at, verified, verified_at, occupation, school, employer, city FROM users",
            as: (Int64, Int64, Bool, Int64?, String, String?, String?, String?).self
        ).map { id, createdAt, verified, verifiedAt, occupation, school, employer, city in
            CreditInputsAssembly.UserColumns(
                id: id, createdAt: createdAt, verified: verified, verifiedAt: verifiedAt, occupation: occupation, school: school,
                employer: employer, city: city)
        }
        return CreditInputsAssembly.inputs(users: users, counts: counts, now: now)
    }

    static func edges(_ session: PostgresSession, now: Int64) throws -> [CreditEdge] {
        var edges = try session.rows("SELECT user_id, friend_id FROM friendships WHERE user_id < friend_id ORDER BY user_id, friend_id", as: (Int64, Int64).self)
            .map { CreditEdge.friendship(UserID($0.0), UserID($0.1)) }
        let payments = try session.rows(
            """
            SELECT payer, payee, count(*), sum(amount_fen)::bigint, max(created_at) FROM (
              SELECT debit_account_id AS payer, credit_account_id AS payee, amount_fen, created_at
                FROM ledger_transfers WHERE kind IN ('transfer', 'tip')
              UNION ALL
              SELECT p.sender_id, s.claimer_id, s.amount_fen, s.claimed_at
                FROM red_packet_shares s JOIN red_packets p ON p.id = s.red_packet_id WHERE s.claimer_id IS NOT NULL
            ) AS payments GROUP BY payer, payee ORDER BY payer, payee
            """, as: (Int64, Int64, Int, Int64, Int64).self)
        for (payer, payee, count, volumeFen, lastAt) in payments {
            edges.append(CreditInputsAssembly.paymentsEdge(payer: payer, payee: payee, count: count, volumeFen: volumeFen, lastAt: lastAt, now: now))
        }
        return edges
    }
}
