import GRDB

/// Appends the wallet's events (`Event`, the shared row type) in the caller's transaction.
///
/// The same row `EventLog.append` writes, through one cached prepared statement instead of
/// GRDB's Codable persistence, which profiled at about a third of a group-commit batch's CPU
/// time. (If `EventLog.append` adopts a cached statement, this can go.)
enum LedgerEvents {
    static func append(_ event: Event, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO events (kind, at, user_id, circle_id, post_id, target_user_id, amount_fen, experiment_id, variant, context)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            event.kind, event.at, event.userID, event.circleID, event.postID, event.targetUserID, event.amountFen,
            event.experimentID, event.variant, event.context,
        ])
    }
}
