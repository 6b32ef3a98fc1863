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
        let (inputs, edges) = try database.pool.read { db in (try CreditInputsQuery.inputs(db, now: now), try CreditInputsQuery.edges(db, now: now)) }
        let reports = CreditEngine.computeAll(inputs: inputs, edges: edges)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try database.pool.write { db in
            for (userID, report) in reports.sorted(by: { $0.key < $1.key }) {
                let json = String(decoding: try encoder.encode(report), as: UTF8.self)
                try db.execute(sql: """
                    INSERT INTO credit_scores (user_id, score, report, computed_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(user_id) DO UPDATE SET score = excluded.score, report = excluded.report, computed_at = excluded.computed_at
                    """, arguments: [userID.rawValue, report.score, json, now])
            }
        }
        return reports.count
    }

    public func score(_ user: UserID) throws -> Int? {
        try database.pool.unsafeRead { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT score FROM credit_scores WHERE user_id = ?"), arguments: [user.rawValue]) }
    }

    public func allScores() throws -> [UserID: Int] {
        try database.pool.read { db in
            var scores: [UserID: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT user_id, score FROM credit_scores") { scores[UserID(row[0] as Int64)] = row[1] }
            return scores
        }
    }

    public func report(_ user: UserID) throws -> CreditReport? {
        try database.pool.read { db in
            guard let json = try String.fetchOne(db, sql: "SELECT report FROM credit_scores WHERE user_id = ?", arguments: [user.rawValue]) else { return nil }
            return try JSONDecoder().decode(CreditReport.self, from: Data(json.utf8))
        }
    }
}

/// The SQL behind credit inputs (see Credit.CreditInputs for what each field means).
enum CreditInputsQuery {
    static let day: Int64 = 86_400

    static func inputs(_ db: Database, now: Int64) throws -> [UserID: CreditInputs] {
        var counts: [Int64: [String: Int]] = [:]
        func collect(_ name: String, _ sql: String, _ arguments: StatementArguments = []) throws {
            for row in try Row.fetchAll(db, sql: sql, arguments: arguments) { counts[row[0], default: [:]][name] = row[1] }
        }
        let activeSince = now - Int64(CreditWindows.activeDaysWindowDays) * day
        let conductSince = now - Int64(CreditWindows.conductWindowDays) * day
        try collect("activeDays", "SELECT user_id, count(DISTINCT at / 86400) FROM events WHERE user_id IS NOT NULL AND at >= ? GROUP BY user_id", [activeSince])
        for kind in ["transfer", "tip", "redpacket_create"] {
            try collect(kind, "SELECT initiator_id, count(*) FROM ledger_transfers WHERE kind = ? AND initiator_id IS NOT NULL GROUP BY initiator_id", [kind])
        }
        try collect("topup", "SELECT credit_account_id, count(*) FROM ledger_transfers WHERE kind = 'topup' GROUP BY credit_account_id")
        try collect("claims", "SELECT credit_account_id, count(*) FROM ledger_transfers WHERE kind = 'redpacket_claim' GROUP BY credit_account_id")
        try collect("posts", "SELECT author_id, count(*) FROM posts WHERE created_at >= ? GROUP BY author_id", [conductSince])
        try collect("hidden", """
            SELECT p.author_id, count(DISTINCT p.id) FROM posts p JOIN moderation_queue q ON q.post_id = p.id
            WHERE p.created_at >= ? AND (q.outcome = 'removed' OR (q.outcome = 'pending' AND p.status = 'hidden'))
            GROUP BY p.author_id
            """, [conductSince])
        try collect("upheld", """
            SELECT p.author_id, count(*) FROM reports r JOIN posts p ON p.id = r.post_id
            WHERE r.created_at >= ? AND (p.status = 'hidden' OR EXISTS (SELECT 1 FROM moderation_queue q WHERE q.post_id = p.id AND q.outcome = 'removed'))
            GROUP BY p.author_id
            """, [conductSince])
        try collect("falseReports", """
            SELECT r.reporter_id, count(*) FROM reports r JOIN moderation_queue q ON q.post_id = r.post_id
            WHERE r.created_at >= ? AND q.outcome = 'restored' GROUP BY r.reporter_id
            """, [conductSince])

        var inputs: [UserID: CreditInputs] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, created_at, verified, verified_at, occupation, school, employer, city FROM users") {
            let id: Int64 = row[0]
            let count = counts[id] ?? [:]
            let verifiedAt: Int64? = row[3]
            let occupation = CreditIdentity.Occupation(rawValue: row[4]) ?? .other
            func present(_ index: Int) -> Bool { (row[index] as String?).map { !$0.isEmpty } ?? false }
            let identity = CreditIdentity(
                verifiedDaysAgo: (row[2] as Bool) ? verifiedAt.map { Int(max(0, now - $0) / day) } : nil, occupation: occupation,
                hasSchool: present(5), hasEmployer: present(6), hasCity: present(7))
            inputs[UserID(id)] = CreditInputs(
                accountAgeDays: Int(max(0, now - (row[1] as Int64)) / day), identity: identity,
                history: CreditHistory(activeDays: count["activeDays"] ?? 0, transfersSent: count["transfer"] ?? 0, tipsSent: count["tip"] ?? 0,
                                       redPacketsSent: count["redpacket_create"] ?? 0, redPacketsClaimed: count["claims"] ?? 0),
                // Refused payments leave no row (nothing moves), so they cannot be counted yet.
                payments: CreditPayments(topUps: count["topup"] ?? 0, insufficientFundsFailures: 0),
                conduct: CreditConduct(postsCreated: count["posts"] ?? 0, postsHidden: count["hidden"] ?? 0, reportsUpheld: count["upheld"] ?? 0,
                                       falseReportsFiled: count["falseReports"] ?? 0))
        }
        return inputs
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
            edges.append(.payments(from: UserID(row[0] as Int64), to: UserID(row[1] as Int64), count: row[2], volume: Fen(row[3] as Int64),
                                   lastDaysAgo: Int(max(0, now - (row[4] as Int64)) / day)))
        }
        return edges
    }
}
