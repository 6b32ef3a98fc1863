import BlockingWork
import Core
import Dispatch
import Synchronization
import Testing

@Suite("blocking work off the cooperative pool")
struct BlockingTests {
    /// Work that waits for an fsync runs on its own threads: with every commit thread stuck, a
    /// feed's kind of work still runs, and the other way round. (On one shared pool the second
    /// call would wait for a thread forever; the time limit turns that into a failure.)
    @Test("commits waiting for the disk never hold up CPU-bound work, nor the reverse", .timeLimit(.minutes(1)))
    func commitsAndWorkersUseSeparateThreads() async throws {
        try await Self.whileAllThreadsWait(count: Blocking.commitThreadCount, ofCommitPool: true) {
            let answer = try await Blocking.run { 42 }
            #expect(answer == 42)
        }
        try await Self.whileAllThreadsWait(count: Blocking.defaultWorkerThreadCount, ofCommitPool: false) {
            let answer = try await Blocking.commit { 43 }
            #expect(answer == 43)
        }
    }

    /// A request pins its scripts in a task-local value; the lanes' threads have no task, so each
    /// lane binds the value again around the work. Without that, work on them would read no pin.
    @Test("a pinned value reaches work on every lane, and only the work of its own task")
    func pinnedValueCrossesLanes() async throws {
        #expect(try await Blocking.run { Blocking.pinned as? String } == nil)
        try await Blocking.$pinned.withValue("set-1") {
            #expect(try await Blocking.run { Blocking.pinned as? String } == "set-1")
            #expect(try await Blocking.commit { Blocking.pinned as? String } == "set-1")
            #expect(try await Blocking.anyThread { Blocking.pinned as? String } == "set-1")
            let inner = try await Blocking.$pinned.withValue("set-2") { try await Blocking.run { Blocking.pinned as? String } }
            #expect(inner == "set-2")
        }
        // The threads keep nothing once the work is done.
        #expect(try await Blocking.run { Blocking.pinned as? String } == nil)
        #expect(try await Blocking.commit { Blocking.pinned as? String } == nil)
    }

    /// Occupies `count` threads of a pool (each job waits on a gate), runs `body`, opens the gate.
    static func whileAllThreadsWait(count: Int, ofCommitPool: Bool, body: () async throws -> Void) async throws {
        let gate = DispatchSemaphore(value: 0)
        let waiting = WaitingCount()
        let jobs = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<count {
                    group.addTask {
                        let job: @Sendable () -> Void = {
                            waiting.count.add(1, ordering: .relaxed)
                            gate.wait()
                        }
                        if ofCommitPool { try await Blocking.commit(job) } else { try await Blocking.run(job) }
                    }
                }
                try await group.waitForAll()
            }
        }
        while waiting.count.load(ordering: .relaxed) < count { try await Task.sleep(for: .milliseconds(5)) }
        do {
            try await body()
        } catch {
            for _ in 0..<count { gate.signal() }
            throw error
        }
        for _ in 0..<count { gate.signal() }
        try await jobs.value
    }

    @Test("any-thread work returns its value and its error")
    func anyThreadReturnsValueAndError() async throws {
        #expect(try await Blocking.anyThread { 7 } == 7)
        await #expect(throws: QuanziError.self) {
            try await Blocking.anyThread { () throws(QuanziError) -> Int in throw QuanziError(.storageFailure, "no") }
        }
        var counter = 0
        try await Blocking.awaited { counter += 1 }
        #expect(counter == 1)
    }
}

private final class WaitingCount: Sendable {
    let count = Atomic<Int>(0)
}
