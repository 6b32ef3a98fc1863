import Core
import Experiments
import Foundation
import LuaHost
import Social
import SQLiteStorage
import Testing

@testable import Service

@Suite("segment breakdowns in the service")
struct SegmentBreakdownTests {
    static let experiment = """
        return quanzi.experiment {
          id = "campus-comment-credit", layer = "campus-rules", traffic = 1.0,
          variants = {
            { name = "control", weight = 0.5, params = { min_credit = 750 } },
            { name = "treatment", weight = 0.5, params = { min_credit = 350 } },
          },
          metrics = { primary = "reports_received_per_user", secondary = { "comments_per_user" } },
          segments = {
            city = function(user) return user.city end,
            new_user = function(user) return user.account_age_days < 30 end,
          },
        }
        """

    /// 600 users in "Big", 50 in each of c01…c11, 150 without a city; every fourth user joined
    /// 20 days before the start. Treatment users in Big receive 4 reports more than anyone else.
    @Test("every metric per segment value: the 10 largest values, then other and none; small values marked; BH over all; as the user was")
    func breakdown() throws {
        let others = try PluginSource.folder(ServiceFixture.experimentsDirectory)
            .filter { !$0.path.hasSuffix("/campus-comment-credit.lua") && !$0.path.hasSuffix("/behaviour.lua") }
        let experiments = try ExperimentSet.load(others + [PluginSource(path: "experiments/campus-comment-credit.lua", code: Self.experiment)])
        let fixture = try ServiceFixture(experiments: experiments)
        let service = fixture.service
        let spec = try service.experiments.engine.spec("campus-comment-credit")
        let start = ServiceFixture.start
        var profiles: [UserProfile] = []
        for id in Int64(1)...1_300 {
            let city: String? = id <= 600 ? "Big" : id <= 1_150 ? String(format: "c%02d", (id - 601) / 50 + 1) : nil
            let joined = id % 4 == 0 ? start - 20 * 86_400 : start - 400 * 86_400
            let profile = UserProfile(id: UserID(id), displayName: "u\(id)", verified: true, verifiedAtEpochSeconds: joined, gender: .female,
                                      birthYear: 2003, occupation: .student, city: city, createdAtEpochSeconds: joined)
            try service.users.insert(profile)
            profiles.append(profile)
        }
        var variantOf: [UserID: String] = [:]
        for profile in profiles {
            let variant = try #require(try service.experiments.assign(profile, to: spec.id).variant?.name)
            try service.experiments.store.recordExposure(experiment: spec.id, user: profile.id, variant: variant, at: start)
            variantOf[profile.id] = variant
        }
        func reports(_ profile: UserProfile) -> Int {
            Int(profile.id.rawValue % 3) + (profile.city == "Big" && variantOf[profile.id] == "treatment" ? 4 : 0)
        }
        try service.database!.bulkWrite { writer in
            for profile in profiles {
                for report in 0..<reports(profile) { try writer.recordReport(on: profile.id, by: nil, at: start + 100 + Int64(report)) }
            }
        }
        // 40 days later every new user has aged past 30 days: the segment is read as of exposure.
        let report = try service.experiments.analyze(spec.id, now: start + 40 * 86_400, applyGuardrails: false, segments: true)
        #expect(try service.experiments.analyze(spec.id, now: start + 40 * 86_400, applyGuardrails: false).segments.isEmpty,
                "the watcher's looks do not pay for the breakdown")
        #expect(report.segments.map(\.segment) == ["city", "new_user"])

        let city = try #require(report.segments.first { $0.segment == "city" })
        // Ten values kept (ties by name), c10 and c11 grouped as "other", no city as "none".
        #expect(city.values.map(\.value) == ["Big"] + (1...9).map { String(format: "c%02d", $0) } + ["other", "none"])
        #expect(city.values.map { $0.usersPerVariant.reduce(0, +) } == [600] + Array(repeating: 50, count: 9) + [100, 150])
        #expect(city.values.filter(\.tooSmall).map(\.value) == (1...9).map { String(format: "c%02d", $0) } + ["other"],
                "about 25 users per arm is below \(ExperimentSpec.segmentMinUsersPerVariant)")

        // Big's arms are its users' own means, and its rise is found after the correction.
        let big = try #require(city.values.first { $0.value == "Big" })
        let primary = try #require(big.metrics.first { $0.id == "reports_received_per_user" })
        for (index, variant) in ["control", "treatment"].enumerated() {
            let members = profiles.filter { $0.city == "Big" && variantOf[$0.id] == variant }
            #expect(primary.arms[index].users == members.count)
            let mean = Double(members.map(reports).reduce(0, +)) / Double(members.count)
            #expect(abs(primary.arms[index].value - mean) < 1e-12)
        }
        let bigComparison = try #require(primary.comparisons.first)
        #expect(bigComparison.significant && bigComparison.relativeLift > 1)
        let none = try #require(city.values.first { $0.value == "none" })
        #expect(!none.tooSmall && none.metrics.allSatisfy { $0.comparisons.allSatisfy { !$0.significant } }, "no effect outside Big")

        // One family: every tested comparison's adjusted p is BH over all of them.
        var raw: [Double] = [], adjusted: [Double] = []
        for breakdown in report.segments {
            for value in breakdown.values {
                for metric in value.metrics {
                    for comparison in metric.comparisons {
                        guard let p = comparison.pValue else {
                            #expect(value.tooSmall || comparison.unavailable != nil, "only untested comparisons lack a p-value")
                            continue
                        }
                        raw.append(p)
                        adjusted.append(try #require(comparison.adjustedPValue))
                        #expect(comparison.significant == (comparison.adjustedPValue! < spec.alpha))
                    }
                }
            }
        }
        #expect(raw.count == 4, "reports received in Big, none, and both new_user values; no comments were made, so no comment test")
        #expect(adjusted == MultipleComparisons.adjust(raw, method: .benjaminiHochberg))

        let newUser = try #require(report.segments.first { $0.segment == "new_user" })
        #expect(newUser.values.map(\.value) == ["false", "true"])
        #expect(newUser.values.map { $0.usersPerVariant.reduce(0, +) } == [975, 325], "every fourth user was new when exposed")
        // The whole population's verdict is the report's own, not a segment's.
        #expect(report.metrics.first?.comparisons.first?.significant == true)
        let html = ReportHTML.render(report)
        #expect(html.contains("<h2>Segments</h2>") && html.contains("<h3>city</h3>") && html.contains("<td>Big</td>"))
    }
}
