import Logging
import NIOCore
import PostgresNIO

/// A transaction whose statements are sent back to back on one connection: each `send` queues
/// its statement behind those sent before it and returns at once, so statements that do not
/// need an earlier one's answer cost no round trip of their own. postgres-nio runs a
/// connection's queued statements in order, answering each from the event loop; awaiting them
/// one by one instead costs a hop from the event loop to the caller's task and back per
/// statement, and on a loaded machine those hops, not PostgreSQL, set how long a group-commit
/// batch holds its accounts' locks.
///
/// Written by hand: postgres-nio runs a transaction (`withTransaction`) one awaited statement at
/// a time and has no pipelined form.
///
/// After a failed statement PostgreSQL refuses the rest of the transaction (SQLSTATE 25P02) and
/// turns its COMMIT into a rollback, so ``PostgresTransactions/pipelined(_:)`` reports the first
/// failure in sending order, which is the one `PostgresRetry` classifies.
final class PostgresPipeline {
    let connection: PostgresConnection
    let logger: Logger
    private let begin: EventLoopFuture<PostgresQueryResult>
    /// Set once BEGIN is known to have succeeded: a write sent before would run outside the
    /// transaction had it failed.
    private var begun = false
    /// Statements sent whose answers nobody awaited yet: awaited before COMMIT's.
    private var unanswered: [EventLoopFuture<PostgresQueryResult>] = []

    fileprivate init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
        begin = Self.send("BEGIN", on: connection, logger: logger)
    }

    /// Sends a statement that only reads (or locks): it may go before BEGIN's answer came.
    func sendRead(_ query: PostgresQuery) -> Answer {
        Answer(future: Self.send(query, on: connection, logger: logger))
    }

    /// Sends a statement that writes; its answer may be awaited later or never (then COMMIT
    /// waits for it). Only after an answer was awaited, which confirms BEGIN.
    @discardableResult
    func sendWrite(_ query: PostgresQuery) -> Answer {
        precondition(begun, "a write sent before BEGIN was confirmed could run outside the transaction")
        let future = Self.send(query, on: connection, logger: logger)
        unanswered.append(future)
        return Answer(future: future)
    }

    /// Every row of `answer` decoded as a tuple of columns, once BEGIN and everything sent
    /// before it have succeeded.
    func rows<each Column: PostgresDecodable>(_ answer: Answer, as type: (repeat each Column).Type) async throws
        -> [(repeat each Column)]
    {
        try await confirmBegun()
        return try await answer.future.get().rows.map { try $0.decode(type) }
    }

    private func confirmBegun() async throws {
        guard !begun else { return }
        _ = try await begin.get()
        begun = true
    }

    /// COMMIT behind everything sent; throws the first failure in sending order.
    fileprivate func commit() async throws {
        try await confirmBegun()
        let commit = Self.send("COMMIT", on: connection, logger: logger)
        var firstFailure: (any Error)?
        for future in unanswered {
            do { _ = try await future.get() } catch { firstFailure = firstFailure ?? error }
        }
        do {
            let answer = try await commit.get()
            // After a failed statement PostgreSQL answers COMMIT with ROLLBACK, not an error.
            if firstFailure == nil, answer.metadata.command != "COMMIT" {
                firstFailure = PostgresStorageCorrupt(reason: "COMMIT was answered with \(answer.metadata.command)")
            }
        } catch {
            firstFailure = firstFailure ?? error
        }
        if let firstFailure { throw firstFailure }
    }

    /// Rolls back after the body failed. A connection that cannot roll back is closed, so the
    /// pool never hands out one still inside this transaction.
    fileprivate func rollBack() async {
        // Everything sent must be answered first: ROLLBACK goes behind it anyway.
        for future in unanswered { _ = try? await future.get() }
        do {
            _ = try await Self.send("ROLLBACK", on: connection, logger: logger).get()
        } catch {
            try? await connection.close()
        }
    }

    /// Queues `query` on `connection` (postgres-nio's future form: synchronous, so statements
    /// queue in the order they are sent).
    private static func send(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger)
        -> EventLoopFuture<PostgresQueryResult>
    {
        connection.query(query, logger: logger)
    }

    /// A sent statement's answer, to await with ``PostgresPipeline/rows(_:)``.
    struct Answer {
        fileprivate let future: EventLoopFuture<PostgresQueryResult>
    }
}

extension PostgresTransactions {
    /// A transaction on a pooled connection whose statements `body` sends back to back
    /// (``PostgresPipeline``); committed when `body` returns, rolled back when it throws.
    func pipelined<T>(_ body: (PostgresPipeline) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            let pipeline = PostgresPipeline(connection: connection, logger: logger)
            let value: T
            do {
                value = try await body(pipeline)
            } catch {
                await pipeline.rollBack()
                throw error
            }
            try await pipeline.commit()
            return value
        }
    }
}
