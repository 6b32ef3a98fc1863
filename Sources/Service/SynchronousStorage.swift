import Core
import Dispatch

/// Where async service code runs its synchronous storage calls. The stores block their caller
/// (GRDB waits for a reader or the writer; PostgreSQL's synchronous stores wait on the network),
/// so they must not run on Swift's cooperative pool: debug builds trap when a PostgreSQL store is
/// called from a task. The server hops to its own `Blocking` pool before it calls the service;
/// the service's own async paths (tips, transfers, red-packet audiences) hop here.
enum SynchronousStorage {
    private static let queue = DispatchQueue(label: "quanzi.service.storage", attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// `run` for a body that is not `Sendable` because it works on its caller's state (seeding's
    /// random generator and counts). Safe because the caller awaits it before touching that
    /// state again: the body and its caller never run at the same time.
    static func runAwaited<T>(_ body: @escaping () throws -> T) async throws -> T {
        let unchecked = Unchecked(value: body)
        return try await run { Unchecked(value: try unchecked.value()) }.value
    }

    private struct Unchecked<Value>: @unchecked Sendable {
        let value: Value
    }

    /// `run` for bodies that throw `QuanziError` only.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws(QuanziError) -> T) async throws(QuanziError) -> T {
        do {
            return try await run { () throws -> T in try body() }
        } catch let error as QuanziError {
            throw error
        } catch {
            throw QuanziError(.storageFailure, "storage failure: \(error)")
        }
    }
}
