import Core
import Experiments
import Foundation
import GRDB
import LuaHost
import Social
import SQLiteStorage
import Testing

@testable import Service

/// A service whose campus-diary comment bar is under an experiment covering everyone.
final class ExperimentFixture {
    let fixture: ServiceFixture
    var service: QuanziService { fixture.service }

    static let experiment = """
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

    init() throws {
        // The repository's experiments (plugins refer to them), with campus-comment-credit on all traffic.
        let others = try PluginSource.folder(ServiceFixture.experimentsDirectory)
            .filter { !$0.path.hasSuffix("/campus-comment-credit.lua") && !$0.path.hasSuffix("/behaviour.lua") }
        let experiments = try ExperimentSet.load(others + [PluginSource(path: "experiments/campus-comment-credit.lua", code: Self.experiment)])
        fixture = try ServiceFixture(experiments: experiments)
    }
}

@Suite("experiments in the service")
struct ExperimentServiceTests {
    @Test("a rule reading a parameter logs one exposure per user, and users get their variant's value")
    func exposureOnce() throws {
        let setup = try ExperimentFixture()
        let service = setup.service
        try setup.fixture.user(1)
        var seenVariants = Set<String>()
        for id in 2...21 {
            try setup.fixture.user(Int64(id), gender: .male)
        }
        _ = try service.credit.recomputeAll(at: ServiceFixture.start)
        let post = try service.createPost(by: UserID(1), in: CircleID("campus-diary"), body: "hello")
        for id in 2...21 {
            let user = UserID(Int64(id))
            let assignment = try service.experiments.assign(try service.users.require(user), to: "campus-comment-credit")
            let variant = try #require(assignment.variant)
            seenVariants.insert(variant.name)
            for _ in 0..<3 {
                let decision = try service.decide(user, .comment, in: CircleID("campus-diary"), post: post)
                // Fresh accounts score far below 750 and above 350.
                #expect(decision.allowed == (variant.name == "treatment"))
            }
        }
        #expect(seenVariants == ["control", "treatment"])
        #expect(try service.experiments.store.exposures(of: "campus-comment-credit").count == 20)
        #expect(try setup.fixture.eventCount(.exposure) == 20)
    }

    @Test("forced users get their variant and are left out of analysis; a stop serves control to all")
    func forcedAndStopped() throws {
        let setup = try ExperimentFixture()
        let service = setup.service
        let user = try setup.fixture.user(5, gender: .male)
        let natural = try #require(try service.experiments.assign(user, to: "campus-comment-credit").variant?.name)
        let other = natural == "control" ? "treatment" : "control"
        try service.experiments.force(UserID(5), into: other, experiment: "campus-comment-credit")
        let forced = try service.experiments.assign(user, to: "campus-comment-credit")
        #expect(forced.variant?.name == other && forced.reason == .forced && !forced.exposes)
        #expect(throws: QuanziError(.variantNotFound, "experiment 'campus-comment-credit' has no variant 'nope' (variants: control, treatment)")) {
            try service.experiments.force(UserID(5), into: "nope", experiment: "campus-comment-credit")
        }
        try service.experiments.stop("campus-comment-credit", reason: "test")
        let stopped = try service.experiments.assign(user, to: "campus-comment-credit")
        #expect(stopped.variant?.name == "control" && stopped.reason == .notRunning(.stopped))
        #expect(try setup.fixture.eventCount(.experimentStopped) == 1)
    }

    @Test("analysis reads exposed users' events after exposure, and a violated guardrail stops the experiment")
    func guardrailStop() throws {
        let setup = try ExperimentFixture()
        let service = setup.service
        let spec = try service.experiments.engine.spec("campus-comment-credit")
        var profiles: [UserProfile] = []
        for id in 1...400 { profiles.append(try setup.fixture.user(Int64(id))) }
        let start = ServiceFixture.start
        var variants: [UserID: String] = [:]
        for profile in profiles {
            let variant = try #require(try service.experiments.assign(profile, to: spec.id).variant?.name)
            try service.experiments.store.recordExposure(experiment: spec.id, user: profile.id, variant: variant, at: start)
            variants[profile.id] = variant
        }
        try service.database!.bulkWrite { writer in
            for profile in profiles {
                let variant = variants[profile.id]
                // Before exposure: ignored. After: treatment authors draw far more reports per view.
                try writer.recordView(1, circle: CircleID("campus-diary"), by: UserID(999), author: profile.id, at: start - 10)
                for view in 0..<20 {
                    try writer.recordView(1, circle: CircleID("campus-diary"), by: UserID(999), author: profile.id, at: start + Int64(view))
                }
                let reports = (variant == "treatment" ? 5 : 0) + Int(profile.id.rawValue % 3)
                for report in 0..<reports { try writer.recordReport(on: profile.id, at: start + 100 + Int64(report)) }
            }
        }
        let report = try service.experiments.analyze(spec.id, now: start + 3600)
        #expect(report.variants.map(\.users).reduce(0, +) == 400)
        let rate = try #require(report.metrics.first { $0.id == "reports_received_rate" })
        #expect(rate.arms[0].value > 0.04 && rate.arms[0].value < 0.06, "about 1 report per 20 views; views before exposure do not count")
        #expect(report.guardrails.first?.verdict == .violated)
        #expect(report.decision == .stoppedByGuardrail)
        #expect(report.stoppedAtEpochSeconds == start + 3600)
        #expect(service.experiments.status(of: spec) == .stopped)
        #expect(report.summary.hasPrefix("Stopped by its guardrail: reports_received_rate rose by"))

        // After the stop everyone gets control: what users do then is not the treatment's, and a
        // later analysis of the stopped experiment still reports what it stopped on.
        try service.database!.bulkWrite { writer in
            for profile in profiles {
                for view in 0..<200 {
                    try writer.recordView(1, circle: CircleID("campus-diary"), by: UserID(999), author: profile.id, at: start + 7200 + Int64(view))
                }
            }
        }
        let later = try service.experiments.analyze(spec.id, now: start + 86_400)
        let laterRate = try #require(later.metrics.first { $0.id == "reports_received_rate" })
        #expect(laterRate.arms.map(\.value) == rate.arms.map(\.value))
        #expect(later.decision == .stoppedByGuardrail && later.stoppedAtEpochSeconds == start + 3600)
    }
}
