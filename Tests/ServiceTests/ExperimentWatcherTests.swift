import Core
import Experiments
import Foundation
import LuaHost
import Social
import SQLiteStorage
import Testing

@testable import Service

/// The campus-comment-credit experiment of ``ExperimentFixture`` on a ramp 20 % → 50 % → 100 %,
/// each step held an hour, over 1,000 users.
final class RampFixture {
    let fixture: ServiceFixture
    var service: QuanziService { fixture.service }
    let watcher: ExperimentWatcher
    let id = "campus-comment-credit"
    var users: [UserProfile] = []
    static let hourSeconds: Int64 = 3_600
    static let ramp = [RampStep(traffic: 0.2, holdSeconds: hourSeconds), RampStep(traffic: 0.5, holdSeconds: hourSeconds), RampStep(traffic: 1)]

    init(minExposedPerVariant: Int = 30, users count: Int = 1_000) throws {
        let others = try PluginSource.folder(ServiceFixture.experimentsDirectory)
            .filter { !$0.path.hasSuffix("/campus-comment-credit.lua") && !$0.path.hasSuffix("/behaviour.lua") }
        let loaded = try ExperimentSet.load(others + [PluginSource(path: "experiments/campus-comment-credit.lua", code: ExperimentFixture.experiment)])
        let experiments = loaded.adjusting("campus-comment-credit") { spec in
            spec.ramp = Self.ramp
            spec.traffic = Self.ramp[0].traffic
            spec.minExposedPerVariant = minExposedPerVariant
        }
        fixture = try ServiceFixture(experiments: experiments)
        watcher = ExperimentWatcher(experiments: fixture.service.experiments, intervalSeconds: 600)
        for index in 1...count { users.append(try fixture.user(Int64(index))) }
    }

    var now: Int64 { fixture.clock.nowEpochSeconds }

    func advanceClock(seconds: Int64) { fixture.clock.set(epochSeconds: now + seconds) }

    /// Every user opens the circle: those the current step lets in are exposed (through the same
    /// call a plugin's `quanzi.ab.param` makes). Returns each exposed user's variant.
    @discardableResult
    func exposeEveryone() throws -> [UserID: String] {
        var variants: [UserID: String] = [:]
        for user in users {
            let assignment = try service.experiments.expose(user, to: id)
            if assignment.exposes, let variant = assignment.variant { variants[user.id] = variant.name }
        }
        return variants
    }

    /// Twenty views of each exposed user's posts and some reports on them: `extraReports` more
    /// for treatment users (0: both arms alike).
    func writeActivity(for variants: [UserID: String], extraReports: Int) throws {
        let start = now
        try service.database!.bulkWrite { writer in
            for (user, variant) in variants {
                for view in 0..<20 {
                    try writer.recordView(1, circle: CircleID("campus-diary"), by: UserID(999_999), author: user, at: start + Int64(view))
                }
                let reports = (variant == "treatment" ? extraReports : 0) + Int(user.rawValue % 3)
                for report in 0..<reports { try writer.recordReport(on: user, at: start + 100 + Int64(report)) }
            }
        }
        advanceClock(seconds: 200)
    }

    func look() -> WatchLook {
        let looks = watcher.look(now: now)
        return looks.first { $0.experimentID == id }!
    }

    var lifecycle: ExperimentLifecycle { service.experiments.currentLifecycle(of: service.experiments.experiments.experiment(id)!) }
}

@Suite("the experiment watcher")
struct ExperimentWatcherTests {
    @Test("a clean experiment ramps one step at a time, each after its hold, to the end, and users keep their variant")
    func cleanRamp() throws {
        let setup = try RampFixture()
        var first = setup.look()
        #expect(first.outcome == .changed && first.change?.kind == .started && setup.lifecycle.step == 0)
        var seen: [UserID: String] = [:]
        var steps: [Int] = [0]
        let incremental = IncrementalMetricReader(database: setup.service.database!)
        for _ in 0..<12 {
            let exposed = try setup.exposeEveryone()
            for (user, variant) in exposed {
                if let before = seen[user] { #expect(before == variant, "user \(user) kept their variant across steps") }
                seen[user] = variant
            }
            try setup.writeActivity(for: exposed, extraReports: 0)
            // The simulator's incremental reader counts exactly what a full pass counts.
            let spec = try #require(setup.service.experiments.experiments.experiment(setup.id))
            let metrics = spec.allMetrics.compactMap { setup.service.experiments.experiments.metric($0) }
            let full = try MetricReader(database: setup.service.database!).observations(for: spec, metrics: metrics, excluding: [])
            let partial = try incremental.observations(for: spec, metrics: metrics, excluding: [], before: nil)
            #expect(partial.variants == full.variants && partial.timeline == full.timeline)
            setup.advanceClock(seconds: 600)
            first = setup.look()
            #expect(first.outcome != .failed, "\(first.failure ?? "")")
            #expect(first.change?.kind != .stopped, "no stop: \(first.decision?.reason ?? "")")
            steps.append(setup.lifecycle.step)
        }
        // Never skips: each look moves at most one step; and it gets to the end.
        #expect(zip(steps, steps.dropFirst()).allSatisfy { $1 == $0 || $1 == $0 + 1 })
        #expect(setup.lifecycle.step == 2 && setup.lifecycle.status == .running)
        // Each step was held at least its hour.
        let changes = try setup.service.experiments.changes(of: setup.id)
        #expect(changes.map(\.kind) == [.started, .advanced, .advanced])
        for (earlier, later) in zip(changes, changes.dropFirst()) {
            #expect(later.atEpochSeconds - earlier.atEpochSeconds >= RampFixture.hourSeconds)
            #expect(later.actor == "watcher" && later.evidence.contains { $0.hasPrefix("exposed: ") })
        }
        #expect(seen.count > 900, "at 100 % nearly everyone is in: \(seen.count)")
        #expect(setup.service.experiments.currentTraffic(of: setup.service.experiments.experiments.experiment(setup.id)!) == 1)
        // At the last step the watcher holds and says why.
        setup.advanceClock(seconds: 7_200)
        let last = setup.look()
        #expect(last.outcome == .held && last.decision?.reason.hasPrefix("at the ramp's last step") == true)
    }

    @Test("a violated guardrail at the first step stops the experiment before the next step, and everyone gets control")
    func violatedStops() throws {
        let setup = try RampFixture()
        #expect(setup.look().change?.kind == .started)
        let exposed = try setup.exposeEveryone()
        #expect(exposed.count < 300, "only the first step's 20 % are in")
        try setup.writeActivity(for: exposed, extraReports: 6)
        setup.advanceClock(seconds: 600)  // well inside the step's hour
        let look = setup.look()
        #expect(look.outcome == .changed && look.change?.kind == .stopped)
        #expect(look.change?.reason.hasPrefix("guardrail reports_received_rate") == true)
        #expect(look.guardrails.first?.verdict == .violated)
        #expect(setup.lifecycle.status == .stopped && setup.lifecycle.step == 0)
        // Nobody is exposed any more and everyone gets control.
        let before = try setup.service.experiments.store.exposures(of: setup.id).count
        for user in setup.users.prefix(50) {
            let assignment = try setup.service.experiments.expose(user, to: setup.id)
            #expect(assignment.variant?.name == "control" && !assignment.exposes)
        }
        #expect(try setup.service.experiments.store.exposures(of: setup.id).count == before)
        // A stopped experiment is no longer looked at.
        setup.advanceClock(seconds: 600)
        #expect(!setup.watcher.look(now: setup.now).contains { $0.experimentID == setup.id })
        #expect(try setup.fixture.eventCount(.experimentStopped) == 1)
        #expect(try setup.service.experiments.changes(of: setup.id).map(\.kind) == [.started, .stopped])
    }

    @Test("a person's hold keeps a clean ramp at its step until released; a person's advance moves it at once; a held ramp still stops on a violated guardrail")
    func personSteersTheRamp() throws {
        let setup = try RampFixture()
        let experiments = setup.service.experiments
        #expect(throws: QuanziError.self) { try experiments.hold(setup.id, personReason: "before the start") }
        #expect(setup.look().change?.kind == .started)
        let hold = try experiments.hold(setup.id, personReason: "waiting for the campus holiday to end", actor: "admin:1")
        #expect(hold.kind == .held && setup.lifecycle.held && setup.lifecycle.step == 0)
        let again = #expect(throws: QuanziError.self) { try experiments.hold(setup.id, personReason: "twice") }
        #expect(again?.code == .experimentStateConflict)
        // Every condition for the next step is met, and the watcher holds anyway, saying why.
        try setup.writeActivity(for: try setup.exposeEveryone(), extraReports: 0)
        setup.advanceClock(seconds: 2 * RampFixture.hourSeconds)
        let held = setup.look()
        #expect(held.outcome == .held && setup.lifecycle.step == 0)
        #expect(held.decision?.reason == "held by a person at step 1: waiting for the campus holiday to end")
        // Released, the next look moves it on.
        #expect(try experiments.release(setup.id, personReason: "holiday over").kind == .released)
        #expect(!setup.lifecycle.held)
        #expect(throws: QuanziError.self) { try experiments.release(setup.id, personReason: "twice") }
        setup.advanceClock(seconds: 600)
        #expect(setup.look().change?.kind == .advanced && setup.lifecycle.step == 1)
        // A person's advance: at once, hold time or not, and refused past the last step.
        let advanced = try experiments.advance(setup.id, personReason: "confident", actor: "admin:1")
        #expect(advanced.kind == .advanced && advanced.step == 2 && advanced.traffic == 1 && advanced.actor == "admin:1")
        let last = #expect(throws: QuanziError.self) { try experiments.advance(setup.id, personReason: "beyond") }
        #expect(last?.code == .experimentStateConflict)
        // Held at the last step, a violated guardrail still stops it.
        try experiments.hold(setup.id, personReason: "watching closely")
        try setup.writeActivity(for: try setup.exposeEveryone(), extraReports: 6)
        setup.advanceClock(seconds: 600)
        let stop = setup.look()
        #expect(stop.change?.kind == .stopped, "\(stop.decision?.reason ?? "")")
        #expect(setup.lifecycle.status == .stopped && !setup.lifecycle.held)
        #expect(try experiments.changes(of: setup.id).map(\.kind) == [.started, .held, .released, .advanced, .advanced, .held, .stopped])
        // Each wrote its event, which other nodes' followers read to refresh.
        #expect(try setup.fixture.eventCount(.experimentHeld) == 2)
        #expect(try setup.fixture.eventCount(.experimentReleased) == 1)
        // The lifecycle read back from the store agrees.
        #expect(try setup.service.experiments.store.lifecycles()[setup.id] == setup.lifecycle)
    }

    @Test("the ramp holds while data is short, even after the hold has passed")
    func holdsForData() throws {
        let setup = try RampFixture(minExposedPerVariant: 5_000)
        _ = setup.look()
        let exposed = try setup.exposeEveryone()
        try setup.writeActivity(for: exposed, extraReports: 0)
        setup.advanceClock(seconds: 2 * RampFixture.hourSeconds)
        let look = setup.look()
        #expect(look.outcome == .held)
        #expect(look.decision?.reason.hasPrefix("waiting for data:") == true, "\(look.decision?.reason ?? "")")
        #expect(setup.lifecycle.step == 0)
    }

    @Test("a change decided from a stale state is not written: the watcher re-reads and does nothing")
    func staleDecisionLoses() throws {
        let setup = try RampFixture()
        _ = setup.look()
        let spec = try #require(setup.service.experiments.experiments.experiment(setup.id))
        let stale = setup.lifecycle
        // A person stops it between the watcher's read and its write.
        try setup.service.experiments.stop(setup.id, personReason: "operator saw a bug", actor: "admin:1")
        let late = RampController.Decision(action: .advance(toStep: 1), reason: "late", evidence: [])
        let change = try #require(late.change(for: spec, from: stale, at: setup.now, actor: "watcher"))
        #expect(try !setup.service.experiments.record(change))
        #expect(setup.lifecycle.status == .stopped && setup.lifecycle.step == 0)
        #expect(try setup.service.experiments.changes(of: setup.id).map(\.kind) == [.started, .stopped])
    }
}
