import Core
import Credit
import Foundation
import GRDB

/// Credit scores: gathers each user's inputs and the friend/payment graph from the database,
/// scores everyone in one batch (`CreditEngine.computeAll`) and stores the reports.
public struct CreditStore: Sendable {
    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    /// Recomputes every user's score as of `now`; returns how many were scored.
    @discardableResult
    public func recomputeAll(at now: Int64) throws -> Int {
        let (inputs, edges) = try database.read { db in (try CreditInputsQuery.inputs(db, now: now), try CreditInputsQuery.edges(db, now: now)) }
        let reports = CreditEngine.computeAll(inputs: inputs, edges: edges).sorted { $0.key < $1.key }
        let json = CreditReportJSON.encode(reports.map(\.value))
        try database.write { db in
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO credit_scores (user_id, score, report, computed_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(user_id) DO UPDATE SET score = excluded.score, report = excluded.report, computed_at = excluded.computed_at
                """)
            for ((userID, report), json) in zip(reports, json) {
                try upsert.execute(arguments: [userID.rawValue, report.score, json, now])
            }
        }
        return reports.count
    }

    public func score(_ user: UserID) throws -> Int? {
        try database.unsafeRead { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT score FROM credit_scores WHERE user_id = ?"), arguments: [user.rawValue]) }
    }

    public func allScores() throws -> [UserID: Int] {
        try database.read { db in
            var scores: [UserID: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT user_id, score FROM credit_scores") { scores[UserID(row[0] as Int64)] = row[1] }
            return scores
        }
    }

    public func report(_ user: UserID) throws -> CreditReport? {
        try database.read { db in
            guard let json = try String.fetchOne(db, sql: "SELECT report FROM credit_scores WHERE user_id = ?", arguments: [user.rawValue]) else { return nil }
            return try JSONDecoder().decode(CreditReport.self, from: Data(json.utf8))
        }
    }
}

/// The SQL behind credit inputs; `CreditInputsAssembly` (shared with PostgreSQL) builds them.
enum CreditInputsQuery {
    static func inputs(_ db: Database, now: Int64) throws -> [UserID: CreditInputs] {
        var counts: [Int64: [CreditInputsAssembly.Count: Int]] = [:]
        func collect(_ count: CreditInputsAssembly.Count, _ sql: String, _ arguments: StatementArguments = []) throws {
            for row in try Row.fetchAll(db, sql: sql, arguments: arguments) { counts[row[0], default: [:]][count] = row[1] }
        }
        let (activeSince, conductSince) = CreditInputsAssembly.windows(now: now)
        try collect(.activeDays, "SELECT user_id, count(DISTINCT at / 86400) FROM events WHERE user_id IS NOT NULL AND at >= ? GROUP BY user_id", [activeSince])
        for (count, kind) in [(CreditInputsAssembly.Count.transfer, "transfer"), (.tip, "tip"), (.redPacketCreate, "redpacket_create")] {
            try collect(count, "SELECT initiator_id, count(*) FROM ledger_transfers WHERE kind = ? AND initiator_id IS NOT NULL GROUP BY initiator_id", [kind])
        }
        try collect(.topUp, "SELECT credit_account_id, count(*) FROM ledger_transfers WHERE kind = 'topup' GROUP BY credit_account_id")
        try collect(.claims, "SELECT credit_account_id, count(*) FROM ledger_transfers WHERE kind = 'redpacket_claim' GROUP BY credit_account_id")
        try collect(.posts, "SELECT author_id, count(*) FROM posts WHERE created_at >= ? GROUP BY author_id", [conductSince])
        try collect(.hidden, """
            SELECT p.author_id, count(DISTINCT p.id) FROM posts p JOIN moderation_queue q ON q.post_id = p.id
            WHERE q.comment_id IS NULL AND p.created_at >= ? AND (q.outcome = 'removed' OR (q.outcome = 'pending' AND p.status = 'hidden'))
            GROUP BY p.author_id
            """, [conductSince])
        try collect(.upheld, """
            SELECT p.author_id, count(*) FROM reports r JOIN posts p ON p.id = r.post_id
            WHERE r.created_at >= ? AND (p.status = 'hidden' OR EXISTS (SELECT 1 FROM moderation_queue q WHERE q.post_id = p.id AND q.comment_id IS NULL AND q.outcome = 'removed'))
            GROUP BY p.author_id
            """, [conductSince])
        try collect(.commentsHidden, """
            SELECT c.author_id, count(DISTINCT c.id) FROM comments c JOIN moderation_queue q ON q.comment_id = c.id
            WHERE c.created_at >= ? AND (q.outcome = 'removed' OR (q.outcome = 'pending' AND c.status = 'hidden'))
            GROUP BY c.author_id
            """, [conductSince])
        try collect(.falseReports, """
            SELECT r.reporter_id, count(*) FROM reports r JOIN moderation_queue q ON q.post_id = r.post_id
            WHERE r.created_at >= ? AND q.comment_id IS NULL AND q.outcome = 'restored' GROUP BY r.reporter_id
            """, [conductSince])
        let users = try Row.fetchAll(db, sql: "SELECT id, created_at, verified, verified_at, occupation, school, employer, city FROM users").map { row in
            CreditInputsAssembly.UserColumns(
                id: row[0], createdAt: row[1], verified: row[2], verifiedAt: row[3], occupation: row[4], school: row[5],
                employer: row[6], city: row[7])
        }
        return CreditInputsAssembly.inputs(users: users, counts: counts, now: now)
    }

    static func edges(_ db: Database, now: Int64) throws -> [CreditEdge] {
        var edges = try Row.fetchAll(db, sql: "SELECT user_id, friend_id FROM friendships WHERE user_id < friend_id").map {
            CreditEdge.friendship(UserID($0[0] as Int64), UserID($0[1] as Int64))
        }
        let payments = try Row.fetchAll(db, sql: """
            SELECT payer, payee, count(*), sum(amount_fen), max(created_at) FROM (
              SELECT debit_account_id AS payer, credit_account_id AS payee, amount_fen, created_at
                FROM ledger_transfers WHERE kind IN ('transfer', 'tip')
              UNION ALL
              SELECT p.sender_id, s.claimer_id, s.amount_fen, s.claimed_at
                FROM red_packet_shares s JOIN red_packets p ON p.id = s.red_packet_id WHERE s.claimer_id IS NOT NULL
            ) GROUP BY payer, payee
            """)
        for row in payments {
            edges.append(CreditInputsAssembly.paymentsEdge(payer: row[0], payee: row[1], count: row[2], volumeFen: row[3], lastAt: row[4], now: now))
        }
        return edges
    }
}
