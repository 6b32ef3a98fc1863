import Core
import Dispatch
import Experiments
import Foundation
import LuaHost
import PostgresNIO
@_spi(LedgerStore) import PostgresStorage
@_spi(LedgerStore) import Service
import Social
import Synchronization
import Testing

/// The experiment watcher on several nodes sharing one PostgreSQL database: what one node's
/// watcher records is in force on the others through the event follower, and two watchers that
/// judge the same state write its next revision once (`ExperimentRepository.record`: the
/// `(experiment_id, revision)` key is the compare-and-set).
@Suite("the experiment watcher on several nodes", PostgresTestDatabase.available)
struct WatcherNodesTests {
    static let id = "campus-comment-credit"
    static let start = PostgresServiceTests.start
    static let hourSeconds: Int64 = 3_600
    /// Whose views the activity counts (a real user: nothing else reads their feed).
    static let viewer = UserID(999_999)

    /// campus-comment-credit on every user, with a guardrail on the reports its users' posts
    /// receive per view (as `ExperimentFixture` in the service tests), plus `fresh` experiments
    /// that nobody has started yet, each alone in its layer: every one is a start to race on.
    static func experiments(ramp: [RampStep], fresh: Int = 0) throws -> ExperimentSet {
        let folder = PostgresServiceTests.repository.appendingPathComponent("experiments").path
        let others = try PluginSource.folder(folder)
            .filter { !$0.path.hasSuffix("/campus-comment-credit.lua") && !$0.path.hasSuffix("/behaviour.lua") }
        let experiment = """
            return quanzi.experiment {
              id = "campus-comment-credit", layer = "campus-rules", traffic = 1.0,
              variants = {
                { name = "control", weight = 0.5, params = { min_credit = 750 } },
                { name = "treatment", weight = 0.5, params = { min_credit = 350 } },
              },
              metrics = { primary = "comments_per_user",
                          guardrails = { { metric = "reports_received_rate", max_relative_increase = 0.10 } } },
            }
            """
        let races = (0..<fresh).map { index in
            PluginSource(path: "experiments/race-\(index).lua", code: """
                return quanzi.experiment {
                  id = "race-\(index)", layer = "race-\(index)", traffic = 0.5,
                  variants = { { name = "control", weight = 0.5, params = {} }, { name = "treatment", weight = 0.5, params = {} } },
                  metrics = { primary = "comments_per_user" },
                }
                """)
        }
        let loaded = try ExperimentSet.load(others + [PluginSource(path: "experiments/campus-comment-credit.lua", code: experiment)] + races)
        return loaded.adjusting(id) { spec in
            spec.ramp = ramp
            spec.traffic = ramp.first?.traffic ?? spec.traffic
            spec.minExposedPerVariant = 30
        }
    }

    static func service(on backend: PostgresBackend, experiments: ExperimentSet, clock: ManualClock) async throws -> QuanziService {
        let plugins = try PluginSet.load(directory: PostgresServiceTests.repository.appendingPathComponent("plugins").path)
        return try await Backend.offPool { try QuanziService(storage: backend, plugins: plugins, experiments: experiments, clock: clock) }
    }

    /// Users 1…count (verified students), and the viewer, in one bulk write.
    static func insertUsers(_ count: Int, on service: QuanziService) async throws -> [UserProfile] {
        let users = (1...Int64(count)).map { PostgresServiceTests.profile($0) }
        try await Backend.offPool {
            try service.bulkWrite { writer in
                for user in users { try writer.insertUser(user) }
                try writer.insertUser(PostgresServiceTests.profile(Self.viewer.rawValue))
            }
        }
        return users
    }

    /// Every user opens the circle on `node`: those the step in force there lets in are exposed
    /// (the call a plugin's `quanzi.ab.param` makes). Each exposed user's variant.
    static func exposeEveryone(_ users: [UserProfile], on node: QuanziService) async throws -> [UserID: String] {
        try await Backend.offPool {
            var variants: [UserID: String] = [:]
            for user in users {
                let assignment = try node.experiments.expose(user, to: Self.id)
                if assignment.exposes, let variant = assignment.variant { variants[user.id] = variant.name }
            }
            return variants
        }
    }

    /// Twenty views of each exposed user's posts and a few reports on them, `extraReports` more
    /// for treatment (0: both arms alike); then the clock moves past them.
    static func writeActivity(for variants: [UserID: String], extraReports: Int, on node: QuanziService, clock: ManualClock) async throws {
        let at = clock.nowEpochSeconds
        try await Backend.offPool {
            try node.bulkWrite { writer in
                for (user, variant) in variants {
                    for view in 0..<20 {
                        try writer.recordView(1, circle: PostgresServiceTests.circle, by: Self.viewer, author: user, at: at + Int64(view))
                    }
                    let reports = (variant == "treatment" ? extraReports : 0) + Int(user.rawValue % 3)
                    for report in 0..<reports { try writer.recordReport(on: user, by: nil, at: at + 100 + Int64(report)) }
                }
            }
        }
        clock.advance(bySeconds: 200)
    }

    /// Waits until `check` holds on a thread that may block (failing the test past
    /// ``FollowTests/deadlineSeconds``); when it was first seen to hold (polled every 10 ms).
    @discardableResult
    static func timeUntil(
        _ what: String, sourceLocation: Testing.SourceLocation = #_sourceLocation, _ check: @escaping @Sendable () throws -> Bool
    ) async throws -> ContinuousClock.Instant {
        try await FollowTests.eventually(what, sourceLocation: sourceLocation, check)
        return .now
    }

    /// The look at campus-comment-credit among one pass's looks.
    static func ours(_ looks: [WatchLook]) throws -> WatchLook {
        try #require(looks.first { $0.experimentID == Self.id })
    }

    /// Runs every body at once on threads of its own, released together (a pool thread each
    /// could run them one after the other on a busy machine), and returns their results in order.
    static func simultaneously<T: Sendable>(_ bodies: [@Sendable () throws -> T]) async throws -> [T] {
        let results = Outcomes<T>()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // A coordinating thread of its own, so that nothing waits on Swift's cooperative pool.
            Thread {
                let ready = DispatchGroup()
                let done = DispatchGroup()
                let go = DispatchSemaphore(value: 0)
                for (index, body) in bodies.enumerated() {
                    ready.enter()
                    done.enter()
                    Thread {
                        ready.leave()
                        go.wait()
                        let result = Result<T, any Error> { try body() }
                        results.byIndex.withLock { $0[index] = result }
                        done.leave()
                    }.start()
                }
                ready.wait()
                for _ in bodies { go.signal() }
                done.wait()
                continuation.resume()
            }.start()
        }
        let collected = results.byIndex.withLock { $0 }
        return try (0..<bodies.count).map { try collected[$0]!.get() }
    }

    /// The rows a change wrote: its experiment's revisions, and its `experiment.*` events.
    static func recorded(_ experiment: String, on backend: PostgresBackend) async throws -> (revisions: [Int64], events: Int) {
        var revisions: [Int64] = []
        let rows = try await backend.client.query(
            "SELECT revision FROM experiment_changes WHERE experiment_id = \(experiment) ORDER BY revision", logger: PostgresTestDatabase.logger)
        for try await revision in rows.decode(Int64.self) { revisions.append(revision) }
        var events = 0
        let counted = try await backend.client.query(
            "SELECT count(*)::BIGINT FROM events WHERE experiment_id = \(experiment) AND kind LIKE 'experiment.%'", logger: PostgresTestDatabase.logger)
        for try await count in counted.decode(Int64.self) { events = Int(count) }
        return (revisions, events)
    }

    @Test("a ramp step and a guardrail stop recorded by A's watcher are served by B within a follow interval or so")
    func changesReachTheOtherNode() async throws {
        let ramp = [RampStep(traffic: 0.2, holdSeconds: Self.hourSeconds), RampStep(traffic: 0.5, holdSeconds: Self.hourSeconds), RampStep(traffic: 1)]
        let experiments = try Self.experiments(ramp: ramp)
        try await PostgresTestDatabase.withBackends(2) { backends in
            let clock = ManualClock(epochSeconds: Self.start)
            let a = try await Self.service(on: backends[0], experiments: experiments, clock: clock)
            let users = try await Self.insertUsers(1_000, on: a)
            let b = try await Self.service(on: backends[1], experiments: experiments, clock: clock)
            // Only the `experiment.*` events can bring A's changes to B here: the periodic re-read
            // (for forced variants, which write no event) is pushed out of the test's time.
            let configuration = FeedFollower.Configuration(pollInterval: .milliseconds(100), experimentRefreshInterval: .seconds(3_600))
            #expect(a.startFollowing(configuration) != nil && b.startFollowing(configuration) != nil)
            let spec = try #require(b.experiments.experiments.experiment(Self.id))
            let watcherA = ExperimentWatcher(experiments: a.experiments, intervalSeconds: 600)
            // When A wrote each change (a pass goes on to the other experiments after writing it).
            let written = Written()
            a.experiments.onChange { change in
                if change.experimentID == Self.id { written.at.withLock { $0[change.revision] = .now } }
            }
            do {
                // A starts it; B serves the first step's 20 %.
                let started = try Self.ours(try await Backend.offPool { watcherA.look(now: clock.nowEpochSeconds) })
                #expect(started.outcome == .changed && started.change?.kind == .started)
                try await Self.timeUntil("the start on B") { b.experiments.lifecycle(experiment: Self.id)?.revision == 1 }
                let before = try await Backend.offPool { try users.map { try b.experiments.assign($0, to: Self.id) } }
                let inBefore = before.filter(\.exposes).count
                #expect((100...300).contains(inBefore), "about 20 % of 1,000 in at the first step on B: \(inBefore)")

                // Exposed on A, clean data, the hold passes: A's watcher moves to 50 %, and B serves it.
                let exposed = try await Self.exposeEveryone(users, on: a)
                #expect(exposed.count == inBefore, "A and B let the same users in")
                try await Self.writeActivity(for: exposed, extraReports: 0, on: a, clock: clock)
                clock.advance(bySeconds: Self.hourSeconds)
                // B is watched while A's pass goes on to the other experiments after writing the step.
                async let advancing = Backend.offPool { watcherA.look(now: clock.nowEpochSeconds) }
                let stepSeen = try await Self.timeUntil("the second step on B") { b.experiments.currentTraffic(of: spec) == 0.5 }
                let advanced = try Self.ours(try await advancing)
                #expect(advanced.outcome == .changed && advanced.change?.kind == .advanced, "\(advanced.decision?.reason ?? advanced.failure ?? "")")
                let stepLag = stepSeen - (try #require(written.at.withLock { $0[2] }))
                let after = try await Backend.offPool { try users.map { try b.experiments.assign($0, to: Self.id) } }
                let inAfter = after.filter(\.exposes).count
                #expect((400...600).contains(inAfter), "about 50 % in at the second step on B: \(inAfter)")
                for (old, new) in zip(before, after) where old.exposes {
                    #expect(new.exposes && new.variant?.name == old.variant?.name, "a user in at 20 % keeps their variant at 50 % on B")
                }

                // The newly let-in users are exposed on A; treatment draws reports: A's watcher stops
                // it, and from then on B serves control to everyone and exposes nobody.
                let exposedNow = try await Self.exposeEveryone(users, on: a)
                try await Self.writeActivity(for: exposedNow, extraReports: 6, on: a, clock: clock)
                clock.advance(bySeconds: 600)
                async let stopping = Backend.offPool { watcherA.look(now: clock.nowEpochSeconds) }
                let stopSeen = try await Self.timeUntil("the stop on B") { b.experiments.status(of: spec) == .stopped }
                let stopped = try Self.ours(try await stopping)
                #expect(stopped.outcome == .changed && stopped.change?.kind == .stopped, "\(stopped.decision?.reason ?? stopped.failure ?? "")")
                #expect(stopped.change?.reason.hasPrefix("guardrail reports_received_rate") == true)
                let stopLag = stopSeen - (try #require(written.at.withLock { $0[3] }))
                let treated = try #require(exposedNow.first { $0.value == "treatment" }?.key)
                let exposuresBefore = try await Backend.offPool { try b.experiments.store.exposures(of: Self.id).count }
                try await Backend.offPool {
                    for user in users {
                        let assignment = try b.experiments.expose(user, to: Self.id)
                        #expect(assignment.variant?.name == "control" && !assignment.exposes, "user \(user.id) gets control on B")
                    }
                }
                #expect(try await Backend.offPool { try b.experiments.store.exposures(of: Self.id).count } == exposuresBefore)
                #expect(try b.experiments.assign(try #require(users.first { $0.id == treated }), to: Self.id).variant?.name == "control")
                #expect(b.experiments.currentTraffic(of: spec) == 0)
                // From A's write to B serving it: one follow interval is 100 ms here (measured 25-100
                // ms alone; over a second while the whole suite runs in parallel on 2 cores).
                #expect(stepLag < .seconds(5) && stopLag < .seconds(5), "B applied the step after \(stepLag), the stop after \(stopLag)")
                let (revisions, events) = try await Self.recorded(Self.id, on: backends[0])
                #expect(revisions == [1, 2, 3] && events == 3)
            } catch {
                try await Backend.offPool { a.stopFollowing(); b.stopFollowing() }
                throw error
            }
            try await Backend.offPool { a.stopFollowing(); b.stopFollowing() }
        }
    }

    @Test("two nodes' watchers looking at the same state at the same time record each start, step and stop once")
    func racingWatchersActOnce() async throws {
        // Five steps an hour each: each round is a step both watchers may take at once.
        let traffics = [0.2, 0.4, 0.6, 0.8, 1.0]
        let ramp = traffics.enumerated().map { RampStep(traffic: $1, holdSeconds: $0 + 1 < traffics.count ? Self.hourSeconds : nil) }
        let fresh = 8
        let experiments = try Self.experiments(ramp: ramp, fresh: fresh)
        try await PostgresTestDatabase.withBackends(2) { backends in
            let clock = ManualClock(epochSeconds: Self.start)
            let a = try await Self.service(on: backends[0], experiments: experiments, clock: clock)
            let users = try await Self.insertUsers(800, on: a)
            let b = try await Self.service(on: backends[1], experiments: experiments, clock: clock)
            // No follower: neither node hears of the other's change before it tries its own, so
            // each round both decide from the same state and one of them must lose the write.
            let watchers = [ExperimentWatcher(experiments: a.experiments, intervalSeconds: 600),
                            ExperimentWatcher(experiments: b.experiments, intervalSeconds: 600)]
            func race() async throws -> [[WatchLook]] {
                let now = clock.nowEpochSeconds
                let looks: [@Sendable () throws -> [WatchLook]] = watchers.map { watcher in { watcher.look(now: now) } }
                return try await Self.simultaneously(looks)
            }
            /// Both looks at `experiment`: exactly one recorded `kind`; the other lost the race (it
            /// re-read the state and did nothing), or held because it had re-read the state after
            /// losing an earlier experiment's race in the same pass. Returns whether it lost.
            @discardableResult
            func expectOneWinner(_ passes: [[WatchLook]], _ experiment: String, _ kind: ExperimentChange.Kind,
                                 sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Bool {
                let looks = passes.compactMap { pass in pass.first { $0.experimentID == experiment } }
                #expect(looks.count == 2, sourceLocation: sourceLocation)
                let outcomes = looks.map(\.outcome)
                let other = outcomes.filter { $0 != .changed }
                #expect(outcomes.filter { $0 == .changed }.count == 1 && other.count == 1 && [.lostRace, .held].contains(other.first),
                        "\(experiment): \(outcomes) \(looks.map { $0.decision?.reason ?? $0.failure ?? "" })", sourceLocation: sourceLocation)
                #expect(looks.compactMap(\.change).map(\.kind) == [kind], sourceLocation: sourceLocation)
                return other == [.lostRace]
            }
            var lostRaces = 0

            // Round 0: everything running is started by exactly one node, the fresh ones included.
            let first = try await race()
            for index in 0..<fresh where expectOneWinner(first, "race-\(index)", .started) { lostRaces += 1 }
            if expectOneWinner(first, Self.id, .started) { lostRaces += 1 }

            // Each hour: newly let-in users exposed (on either node), clean data; both watchers see
            // the hold passed at once, one moves the ramp on.
            var advances = 0
            for round in 1..<traffics.count {
                let node = round % 2 == 0 ? a : b
                let exposed = try await Self.exposeEveryone(users, on: node)
                try await Self.writeActivity(for: exposed, extraReports: 0, on: node, clock: clock)
                clock.advance(bySeconds: Self.hourSeconds)
                let passes = try await race()
                let looks = passes.map { try? Self.ours($0) }
                if looks.contains(where: { $0?.outcome == .changed }) {
                    if expectOneWinner(passes, Self.id, .advanced) { lostRaces += 1 }
                    advances += 1
                } else {
                    // Not clear yet (an undecided guardrail): both held for the same reason.
                    #expect(looks.allSatisfy { $0?.outcome == .held }, "\(looks.map { $0?.failure ?? "" })")
                }
                // The loser re-read: both nodes are at the same revision again.
                #expect(a.experiments.lifecycle(experiment: Self.id) == b.experiments.lifecycle(experiment: Self.id))
            }
            #expect(advances >= 3, "most hours moved the ramp on: \(advances) of \(traffics.count - 1)")

            // Then treatment draws reports: both see the violation at once, one stops it.
            let exposed = try await Self.exposeEveryone(users, on: a)
            try await Self.writeActivity(for: exposed, extraReports: 6, on: a, clock: clock)
            clock.advance(bySeconds: 600)
            let stopped = try await race()
            if expectOneWinner(stopped, Self.id, .stopped) { lostRaces += 1 }
            // Within a round nothing re-reads before its own write: each step and the stop was a
            // lost compare-and-set on one side, not a state the loser had already heard of.
            #expect(lostRaces >= advances + 1, "\(lostRaces) lost races for \(advances) steps and a stop")
            #expect(a.experiments.lifecycle(experiment: Self.id)?.status == .stopped && b.experiments.lifecycle(experiment: Self.id)?.status == .stopped)

            // One row per revision, no gap, and one event per row, for every experiment raced on.
            let (revisions, events) = try await Self.recorded(Self.id, on: backends[0])
            #expect(revisions == Array(1...Int64(1 + advances + 1)) && events == revisions.count, "\(revisions), \(events) events")
            for index in 0..<fresh {
                let (revisions, events) = try await Self.recorded("race-\(index)", on: backends[1])
                #expect(revisions == [1] && events == 1, "race-\(index): \(revisions), \(events) events")
            }
        }
    }

    @Test("many writers on two nodes recording the same revision at once: exactly one is written, with one event")
    func directRecordRace() async throws {
        try await PostgresTestDatabase.withBackends(2) { backends in
            let clock = ManualClock(epochSeconds: Self.start)
            let experiments = try Self.experiments(ramp: [])
            let nodes = [try await Self.service(on: backends[0], experiments: experiments, clock: clock),
                         try await Self.service(on: backends[1], experiments: experiments, clock: clock)]
            let experiment = "direct-race"
            let writersPerNode = 8
            let kinds: [ExperimentChange.Kind] = [.started, .advanced, .advanced, .advanced, .advanced, .advanced, .advanced, .advanced, .stopped]
            for (index, kind) in kinds.enumerated() {
                let revision = Int64(index + 1)
                let bodies: [@Sendable () throws -> Bool] = (0..<(2 * writersPerNode)).map { writer -> @Sendable () throws -> Bool in
                    let change = ExperimentChange(
                        experimentID: experiment, revision: revision, kind: kind, status: kind == .stopped ? .stopped : .running,
                        step: kind == .started ? 0 : index, traffic: kind == .stopped ? 0 : 0.5, atEpochSeconds: Self.start + revision,
                        actor: "writer-\(writer)", reason: "racing for revision \(revision)")
                    let store = nodes[writer % 2].experiments.store
                    return { try store.record(change) }
                }
                let written = try await Self.simultaneously(bodies)
                #expect(written.filter { $0 }.count == 1, "revision \(revision): \(written)")
                // A late writer of a revision already taken, or of one that skips ahead, changes nothing.
                let late = ExperimentChange(experimentID: experiment, revision: revision, kind: kind, status: .running, step: 0, traffic: 0.5,
                                            atEpochSeconds: Self.start, actor: "late", reason: "late")
                #expect(try await Backend.offPool { try nodes[1].experiments.store.record(late) } == false)
            }
            let skip = ExperimentChange(experimentID: experiment, revision: Int64(kinds.count + 2), kind: .advanced, status: .running, step: 1,
                                        traffic: 0.5, atEpochSeconds: Self.start, actor: "skipper", reason: "skips a revision")
            #expect(try await Backend.offPool { try nodes[0].experiments.store.record(skip) } == false)
            let (revisions, events) = try await Self.recorded(experiment, on: backends[0])
            #expect(revisions == Array(1...Int64(kinds.count)) && events == kinds.count)
            let winners = try await Backend.offPool { try nodes[1].experiments.store.allChanges()[experiment] ?? [] }
            #expect(winners.map(\.kind) == kinds)
        }
    }
}

/// Results of bodies run on threads of their own, by index (a `Mutex` cannot be captured).
final class Outcomes<T: Sendable>: Sendable {
    let byIndex = Mutex<[Int: Result<T, any Error>]>([:])
}

/// When a node wrote each revision (set from its change observer).
final class Written: Sendable {
    let at = Mutex<[Int64: ContinuousClock.Instant]>([:])
}
