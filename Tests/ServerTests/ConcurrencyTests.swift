import Core
import Foundation
import HummingbirdTesting
import Synchronization
import Testing

@testable import Server

@Suite("many requests at once")
struct ConcurrencyTests {
    /// Handlers block in GRDB and Lua. When they ran on Swift's cooperative pool (one thread per
    /// core), dozens of concurrent feed requests once left every pool thread waiting for a
    /// database reader and the server stopped answering, /healthz included. Every request here
    /// must be answered; the time limit turns a hang into a failure instead of a stuck run.
    @Test("200 concurrent feed, wallet and health requests all get answers", .timeLimit(.minutes(2)))
    func concurrentRequestsAllAnswer() async throws {
        let fixture = try APIFixture()
        var tokens: [String] = []
        for id: Int64 in 2...9 {
            if id > 3 { _ = try fixture.user(id) }
            tokens.append(try await fixture.token(id))
        }
        for n in 0..<40 {
            _ = try fixture.service.createPost(by: UserID(Int64(2 + n % 8)), in: CircleID(["nearby", "friends"][n % 2]), body: "post \(n)")
        }
        let issued = tokens
        try await fixture.app().test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for n in 0..<200 {
                    let token = issued[n % issued.count]
                    let path: String
                    switch n % 4 {
                    case 0: path = "/v1/circles/nearby/feed?limit=10"
                    case 1: path = "/v1/circles/friends/feed?limit=10"
                    case 2: path = "/v1/wallet"
                    default: path = "/healthz"
                    }
                    group.addTask { (path, Int(try await client.call(.get, path, token: token).status.code)) }
                }
                var statuses: [(String, Int)] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
            #expect(statuses.count == 200)
            let failures = statuses.filter { $0.1 != 200 }
            #expect(failures.isEmpty, "non-200 answers: \(failures.prefix(5))")
        }
        // Each feed page recorded its views; the group commit lost none.
        #expect(fixture.service.views.currentStatistics.views > 0)
    }

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
}

private final class WaitingCount: Sendable {
    let count = Atomic<Int>(0)
}
