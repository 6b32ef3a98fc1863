import Ledger
import Logging
import PostgresNIO

/// The wallet's transactions on its client: rerun when PostgreSQL says a rerun may succeed, and
/// transfer batches that fall back to one transaction per request when the shared one fails.
/// A value apart from the wallet so that the wallet's group committer can commit with it.
struct PostgresTransactions: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// Many requests in one transaction, each checked on its own; results in request order. When
    /// the shared transaction fails, each request is retried alone so one bad request fails
    /// alone (nothing of the failed transaction was committed, so nothing applies twice).
    func commitBatch(_ requests: [TransferRequest], limits: LedgerLimits, at now: Int64) async -> [Result<TransferResult, any Error>] {
        do {
            return try await commitRetrying(requests, limits: limits, at: now).map { .success($0) }
        } catch {
            guard requests.count > 1 else { return [.failure(error)] }
            var results: [Result<TransferResult, any Error>] = []
            for request in requests {
                do {
                    results.append(.success(try await commitRetrying([request], limits: limits, at: now)[0]))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    /// Runs the batch in a transaction, again when PostgreSQL says a rerun may succeed.
    private func commitRetrying(_ requests: [TransferRequest], limits: LedgerLimits, at now: Int64) async throws -> [TransferResult] {
        let logger = logger
        return try await retrying {
            try await inTransaction { connection in
                try await PostgresTransferBatch.apply(requests, limits: limits, at: now, on: connection, logger: logger)
            }
        }
    }

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
