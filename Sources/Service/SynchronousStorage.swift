import Core

/// The name the money files (`QuanziService+Money`, `DemoMoney`) still use for
/// `Blocking.anyThread`, kept only until #21's wallet door rewrites them; new code calls
/// `Blocking` directly.
enum SynchronousStorage {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await Blocking.anyThread(body)
    }

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws(QuanziError) -> T) async throws(QuanziError) -> T {
        try await Blocking.anyThread(body)
    }

    static func runAwaited<T>(_ body: @escaping () throws -> T) async throws -> T {
        try await Blocking.awaited(body)
    }
}
