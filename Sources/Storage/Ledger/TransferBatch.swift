import GRDB
import Ledger

/// Commits many transfer requests in one transaction, each checked on its own.
///
/// The fast path applies every request in one transaction with no savepoints (a savepoint
/// makes SQLite write a sub-journal to a temporary file for every request, which costs more
/// than the transfer itself). A refusal writes nothing, so it cannot disturb the others; only an
/// error thrown mid-request (a constraint the checks missed, I/O) aborts the batch. Then — and
/// only then — each request is retried in a transaction of its own, so the one bad request fails
/// alone. Nothing of the aborted batch was committed, so the retry cannot apply anything twice
/// (and the idempotency keys would catch it if it could).
enum TransferBatch {
    static func commit(
        _ requests: [TransferRequest], limits: LedgerLimits, at now: Int64, writer: any DatabaseWriter
    ) async -> [Result<TransferResult, any Error>] {
        do {
            let results = try await writer.write { db in
                try requests.map { try TransferWriter.apply($0, limits: limits, at: now, in: db) }
            }
            return results.map { .success($0) }
        } catch {
            guard requests.count > 1 else { return [.failure(error)] }
            var results: [Result<TransferResult, any Error>] = []
            for request in requests {
                do {
                    results.append(
                        .success(
                            try await writer.write { db in
                                try TransferWriter.apply(request, limits: limits, at: now, in: db)
                            }))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }
}
