import PostgresNIO

/// PostgreSQL's answers that mean "nothing was committed, running the same transaction again
/// may succeed" (SQLSTATE codes, PostgreSQL appendix A).
enum PostgresRetry {
    /// serialization_failure, deadlock_detected, unique_violation: a safety net, not the plan.
    /// Under READ COMMITTED with every account locked in one order, none of them is expected:
    /// a request's initiator's own account is always among the rows it locks (an admin's top-up
    /// locks the admin's account too), so two requests with one key (same initiator) queue on
    /// that lock and the second sees the first's row.
    /// Should a unique violation still happen (a future writer that skips the lock), the rerun
    /// sees the committed row and answers replayed or conflict.
    static let retryableSQLStates: Set<String> = ["40001", "40P01", "23505"]

    /// Most runs of one request before its error is returned to the caller: a key can only be
    /// raced once (the rerun sees the winner), so a third failure is not a race.
    static let attemptsMax = 3

    /// The SQLSTATE of `error`, looking inside a failed transaction's wrapper.
    static func sqlState(of error: any Error) -> String? {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] }
        if let error = error as? PostgresTransactionError {
            for inner in [error.closureError, error.commitError, error.beginError].compactMap({ $0 }) {
                if let state = sqlState(of: inner) { return state }
            }
        }
        return nil
    }

    static func isRetryable(_ error: any Error) -> Bool {
        sqlState(of: error).map(retryableSQLStates.contains) ?? false
    }
}

/// Thrown when the server would not make a commit durable (`fsync` or `synchronous_commit`
/// off), so an acknowledged transfer could be lost in a crash.
public struct PostgresWalletNotDurable: Error, Hashable, Sendable, CustomStringConvertible {
    public let setting: String
    public let value: String
    public var description: String { "PostgreSQL runs with \(setting)=\(value); the wallet needs it on" }
}
