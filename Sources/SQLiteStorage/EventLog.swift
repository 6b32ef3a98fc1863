import Core
import GRDB

/// `Event` (StorageModel) as a GRDB record, for reading events back.
extension Event: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "events"

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Appends events inside the caller's transaction, so an action and its event commit together.
///
/// Through one cached prepared statement rather than GRDB's Codable persistence, which profiled at
/// about a third of a group-commit batch's CPU time and a tenth of a feed request's.
public enum EventLog {
    public static func append(_ event: Event, in db: Database) throws {
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
