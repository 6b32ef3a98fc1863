import Core
import Experiments
import PropertyBased
import Social
import Testing

@testable import LuaHost

/// The service's lifecycle reduced to a ramp step: running at `step` since the epoch.
struct RampStepControl: ExperimentControl {
    var step: Int
    func forcedVariant(experiment: String, user: UserID) -> String? { nil }
    func lifecycle(experiment: String) -> ExperimentLifecycle? {
        ExperimentLifecycle(status: .running, step: step, stepStartedAtEpochSeconds: 0, revision: Int64(step + 1))
    }
}

@Suite("the experiment engine along a ramp")
struct ExperimentEngineRampTests {
    /// Each user's variant name at each step (nil: not in the experiment).
    static func walk(_ engine: ExperimentEngine, _ experiment: String, users: [Int64], steps: Int) throws -> [[String?]] {
        try users.map { user in
            try (0..<steps).map { step in
                try engine.assign(UserProfile(id: UserID(user)), to: experiment, control: RampStepControl(step: step)).variant?.name
            }
        }
    }

    /// Once a user is in, they stay in with the same variant.
    static func sticky(_ variants: [String?]) -> Bool {
        guard let first = variants.firstIndex(where: { $0 != nil }) else { return true }
        return variants[first...].allSatisfy { $0 == variants[first] }
    }

    @Test("as the lifecycle's step advances, a user assigned at a lower step keeps the variant at every higher step")
    func stickyThroughTheEngine() async throws {
        let shares = Gen.double(in: 0.0...1.0).array(of: 1...6)
        let users = Gen.int64(in: 1...Int64.max).array(of: 40)
        await propertyCheck(count: 100, input: Gen.letterOrNumber.string(of: 1...12), shares, users) { seed, shares, users in
            let increasing = Array(Set(shares.map { max($0, 0.000_1) })).sorted()
            let ramp = increasing.map { RampStep(traffic: $0, holdSeconds: 3_600) }
            let spec = ExperimentSpec(
                id: "ramped", seed: seed, traffic: ramp[0].traffic,
                variants: [.init(name: "control", weight: 0.4), .init(name: "a", weight: 0.3), .init(name: "b", weight: 0.3)],
                primaryMetric: "posts_per_user", ramp: ramp)
            let engine = ExperimentEngine(experiments: ExperimentSet(sources: [], experiments: [spec], metrics: [], tests: []),
                                          dataSource: EmptyDataSource())
            let walked = try Self.walk(engine, "ramped", users: users, steps: ramp.count + 1)
            for (user, variants) in zip(users, walked) {
                #expect(Self.sticky(variants), "user \(user): \(variants) along \(increasing)")
            }
        }
    }

    @Test("a ramp declared in Lua: users keep their variant through every step, the last step's share holds, and targeting still applies")
    func luaRamp() throws {
        let experiment = PluginSource(path: "experiments/ramped.lua", code: """
            return quanzi.experiment {
              id = "ramped",
              ramp = { { traffic = 0.01, hold_hours = 2 }, { traffic = 0.05, hold_hours = 6 }, { traffic = 0.25, hold_hours = 24 }, { traffic = 0.5 } },
              variants = { { name = "control", weight = 0.5 }, { name = "treatment", weight = 0.5 } },
              targeting = function(user) return user.id % 7 ~= 0 end,
              metrics = { primary = "posts_per_user" },
            }
            """)
        let set = try ExperimentSet.load([testMetrics, experiment])
        let engine = ExperimentEngine(experiments: set, dataSource: EmptyDataSource())
        let users = Array(Int64(1)...4_000)
        let walked = try Self.walk(engine, "ramped", users: users, steps: 5)
        for (user, variants) in zip(users, walked) {
            #expect(Self.sticky(variants), "user \(user): \(variants)")
            if user % 7 == 0 { #expect(variants.allSatisfy { $0 == nil }) }
        }
        // About 1%, 5%, 25%, 50% of the targeted 6/7, and beyond the last step the last share.
        let counts = (0..<5).map { step in walked.count { $0[step] != nil } }
        #expect((10...60).contains(counts[0]), "\(counts)")
        #expect((120...230).contains(counts[1]), "\(counts)")
        #expect((780...940).contains(counts[2]), "\(counts)")
        #expect((1_600...1_830).contains(counts[3]), "\(counts)")
        #expect(counts[4] == counts[3])
    }
}
