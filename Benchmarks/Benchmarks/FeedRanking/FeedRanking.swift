// Feed ranking from Swift through the public API: one request (top 50, one thread) against
// windows of 1k/10k/100k/1M posts, spread over a week (the usual case, where the scan stops
// early) or within the last hour (every post scanned). Plus the window's incremental updates.
//
// Windows are built in each benchmark's setup, outside the timing. The same ranking in Lua and
// in SQLite is measured by `feed-compare`, which also prints the ratios.
import Benchmark
import Core
import Feed
import FeedBenchFixtures
import Synchronization

/// Windows built by setups, by name, for the benchmark closures.
final class Fixtures: Sendable {
    private let windows = Mutex<[String: CandidateWindow]>([:])

    func store(_ window: CandidateWindow, for name: String) { windows.withLock { $0[name] = window } }
    func window(for name: String) -> CandidateWindow {
        guard let window = windows.withLock({ $0[name] }) else { fatalError("no window for \(name): setup did not run") }
        return window
    }
    func remove(_ name: String) { windows.withLock { $0[name] = nil } }
}

let benchmarks: @Sendable () -> Void = {
    // No CPU-time metric: it is read in 10 ms steps here, coarser than one iteration.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], timeUnits: .microseconds, maxDuration: .seconds(2))

    let fixtures = Fixtures()
    for shape in FeedBench.Shape.allCases {
        for count in FeedBench.sizes {
            let name = "rank top 50 of \(count.formatted()) (\(shape.rawValue))"
            let request = FeedBench.request(posts: count)
            Benchmark(name) { benchmark in
                let window = fixtures.window(for: name)
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations { blackHole(FeedRanker.rank(window, request)) }
            } setup: {
                fixtures.store(FeedBench.window(count: count, shape: shape), for: name)
            } teardown: {
                fixtures.remove(name)
            }
        }
    }

    // One post arriving and ten interactions on recent posts, in a 100,000-post window; each
    // iteration runs 1,000 of these (scalingFactor .kilo).
    let eventsName = "window: insert a post and 10 interactions"
    Benchmark(eventsName, configuration: .init(timeUnits: .nanoseconds, scalingFactor: .kilo)) { benchmark in
        var window = fixtures.window(for: eventsName)
        var nextPostID = window.postIDMax + 1
        var clock = FeedBench.nowEpochSeconds
        var random = SeededGenerator(seed: 7)
        // The window is shared with the fixture: the first change copies its arrays (copy on
        // write), which must not be timed.
        window.recordLike(postID: nextPostID - 1)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            clock += 1
            window.insert(
                CandidateRow(
                    postID: nextPostID, authorID: UserID(Int64(1 + random.draw(10_000))), createdAtEpochSeconds: clock,
                    authorCreditScore: 700))
            for step in 0..<10 {
                let target = nextPostID - Int64(random.draw(1_000))
                switch step % 4 {
                case 0: window.recordLike(postID: target)
                case 1: window.recordComment(postID: target)
                case 2: window.recordTip(postID: target, amountFen: 100)
                default: window.recordReport(postID: target)
                }
            }
            nextPostID += 1
        }
        benchmark.stopMeasurement()
        blackHole(window.count)
    } setup: {
        fixtures.store(FeedBench.window(count: 100_000, shape: .week), for: eventsName)
    } teardown: {
        fixtures.remove(eventsName)
    }
}
