import Foundation

/// A fixed number of threads that run closures in the order they were submitted. `Blocking`'s
/// bounded pools: the bound is the point (see there), so the threads are made once and never
/// grow, unlike Dispatch's. Written here rather than taken from swift-nio (`NIOThreadPool`, which
/// it replaces) so that Core, which the fuzz package builds alone, needs no dependency.
final class BlockingThreadPool: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`: pending work, first at `head` (compacted as it drains).
    private var pending: [() -> Void] = []
    private var head = 0

    init(threadCount: Int, name: String) {
        precondition(threadCount > 0, "a pool needs a thread")
        for index in 0..<threadCount {
            let thread = Thread { [self] in runPending() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on one of the pool's threads and returns its result to the awaiting task.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try body() }) }
        }
    }

    private func submit(_ work: @escaping () -> Void) {
        condition.lock()
        pending.append(work)
        condition.signal()
        condition.unlock()
    }

    private func runPending() {
        while true {
            condition.lock()
            while head == pending.count { condition.wait() }
            let work = pending[head]
            head += 1
            if head == pending.count {
                pending.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 && head * 2 >= pending.count {
                pending.removeFirst(head)
                head = 0
            }
            condition.unlock()
            work()
        }
    }
}
