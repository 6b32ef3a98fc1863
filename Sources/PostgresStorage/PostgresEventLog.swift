import Logging
import PostgresNIO
import StorageModel

/// Appends events inside the caller's transaction, so an action and its events commit together
/// (SQLiteStorage's `EventLog`). Several events go in one multi-row INSERT: one round trip.
public enum PostgresEventLog {
    /// Most events in one statement: PostgreSQL takes at most 65,535 parameters, 10 per event.
    static let eventsPerStatementMax = 1_000

    /// Appends `events` on `connection`, inside the transaction the caller holds on it.
    public static func append(_ events: [Event], on connection: PostgresConnection, logger: Logger) async throws {
        for query in insertQueries(events) { try await connection.query(query, logger: logger) }
    }

    static func append(_ events: [Event], in session: PostgresSession) throws {
        for query in insertQueries(events) { try session.execute(query) }
    }

    static func append(_ event: Event, in session: PostgresSession) throws {
        try append([event], in: session)
    }

    static func insertQueries(_ events: [Event]) -> [PostgresQuery] {
        PostgresMultiRowInsert.queries(
            into: "events",
            columns: ["kind", "at", "user_id", "circle_id", "post_id", "target_user_id", "amount_fen", "experiment_id", "variant", "context"],
            rows: events, rowsPerStatementMax: eventsPerStatementMax
        ) { event, bindings in
            bindings.append(event.kind)
            bindings.append(event.at)
            bindings.append(event.userID)
            bindings.append(event.circleID)
            bindings.append(event.postID)
            bindings.append(event.targetUserID)
            bindings.append(event.amountFen)
            bindings.append(event.experimentID)
            bindings.append(event.variant)
            bindings.append(event.context)
        }
    }
}
