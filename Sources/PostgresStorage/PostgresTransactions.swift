import Ledger
import Logging
import PostgresNIO

/// The ledger's transactions on its client, rerun when PostgreSQL says a rerun may succeed.
struct PostgresTransactions: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// Runs `attempt` again (at most `PostgresRetry.attemptsMax` times in all) when PostgreSQL
    /// says a rerun may succeed; nothing of a failed run was committed.
    func retrying<T>(_ attempt: () async throws -> T) async throws -> T {
        var attempts = 1
        while true {
            do {
                return try await attempt()
            } catch where PostgresRetry.isRetryable(error) && attempts < PostgresRetry.attemptsMax {
                attempts += 1
            }
        }
    }

    /// A transaction on a pooled connection. postgres-nio wraps what the body throws; it is
    /// rethrown as itself, so callers see a `LedgerError` as the SQLite wallet throws it (and
    /// `PostgresRetry` reads the SQLSTATE either way).
    func inTransaction<T>(_ body: (PostgresConnection) async throws -> sending T) async throws -> sending T {
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }
}
