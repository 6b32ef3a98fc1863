// One rule evaluation from Swift through the public API: take a pooled Lua state, push the
// read-only user, call the campus-diary rule, read the decision.
//
// Each measured iteration runs 1,000 evaluations (scalingFactor .kilo) so the harness's own
// per-iteration cost stays out of the per-evaluation figures (the rows marked `*`).
// The same rule inside a standalone lua5.4 is measured by `rule-eval-compare`, not here: this
// harness can only time work done in its own process.
import Benchmark
import Core
import LuaHost
import RuleBenchFixtures
import Social

let benchmarks: @Sendable () -> Void = {
    // No CPU-time metric: it is read in 10 ms steps here, coarser than one iteration.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(2))

    // Built (and warmed up) once for the suite, outside any timing.
    let engine: RuleEngine
    do {
        engine = try RuleBench.makeEngine()
    } catch {
        fatalError("cannot set up the rule engine: \(error)")
    }

    Benchmark("post, same user (cached proxy)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try engine.evaluate(circle: RuleBench.circle, action: .post, user: RuleBench.student))
        }
    }

    // 10,000 users cycled in order: more than the state's proxy cache holds (4,096, cleared
    // wholesale when full), so every call builds the user's record and proxy afresh.
    let users = RuleBench.users(count: 10_000)
    var next = 0
    Benchmark("post, new user each call (proxy built)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try engine.evaluate(circle: RuleBench.circle, action: .post, user: users[next]))
            next = next + 1 == users.count ? 0 : next + 1
        }
    }

    Benchmark("comment, calls quanzi.credit.score in Swift") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try engine.evaluate(circle: RuleBench.circle, action: .comment, user: RuleBench.student))
        }
    }
}
