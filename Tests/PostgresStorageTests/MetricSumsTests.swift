@_spi(LedgerStore) import Service
import Core
import Experiments
import Social
import StorageModel
import Testing

/// PostgreSQL totals each user's events in SQL (`PostgresMetricSums`) where SQLite streams every
/// event into the tally: on the same seeded world both must give the same report, to the bit.
@Suite("experiment analysis: PostgreSQL's sums in SQL match SQLite's events")
struct MetricSumsTests {
    static let circle = CircleID("campus-diary")
    static let now = Backend.startEpochSeconds
    static let day: Int64 = 86_400
    static let userCount: Int64 = 40
    static let versions = ["0123456789abcdef", "fedcba9876543210"]
    /// The experiment stopped here: later events do not count.
    static let stoppedAt = now + day

    static let metrics = [
        MetricDefinition(id: "comments", kind: .mean(.init(event: "comment.created"))),
        MetricDefinition(id: "commented", kind: .proportion(.init(event: "comment.created"))),
        MetricDefinition(id: "likes_received", kind: .mean(.init(event: "like.created")), attribution: .target),
        MetricDefinition(id: "tips_fen", kind: .mean(.init(event: "tip.sent", valueField: "amount_fen"))),
        MetricDefinition(
            id: "report_rate", kind: .ratio(numerator: .init(event: "report.created"), denominator: .init(event: "post.viewed")),
            higherIsBetter: false),
        MetricDefinition(
            id: "reports_received_rate", kind: .ratio(numerator: .init(event: "report.created"), denominator: .init(event: "post.viewed")),
            attribution: .target, higherIsBetter: false),
        MetricDefinition(
            id: "tips_fen_capped", kind: .mean(.init(event: "tip.sent", valueField: "amount_fen")), cap: .percentile(level: 0.5, ignoreZeros: true)),
        MetricDefinition(id: "tip_p50", kind: .quantile(.init(event: "tip.sent", valueField: "amount_fen"), .init(level: 0.5, perEvent: true))),
        MetricDefinition(
            id: "tips_received_p50", kind: .quantile(.init(event: "tip.sent", valueField: "amount_fen"), .init(level: 0.5, perEvent: false, ignoreZeros: true)),
            attribution: .target),
    ]
    static let spec = ExperimentSpec(
        id: "e1", traffic: 1, variants: [.init(name: "control", weight: 0.5), .init(name: "treatment", weight: 0.5)],
        primaryMetric: "comments", secondaryMetrics: ["commented", "likes_received", "tips_fen", "tips_fen_capped", "tip_p50", "tips_received_p50"],
        guardrails: [Guardrail(metric: "report_rate", maxRelativeChange: 0.1), Guardrail(metric: "reports_received_rate", maxRelativeChange: 0.1)],
        preperiodDays: 3, phase: 2)

    /// What one backend reports, with the observations it was made from.
    struct Analysis: Equatable, Sendable {
        var variants: [VariantObservations]
        var versions: [ExperimentReport.VersionRow]
        var eventsRead: Int
        var forcedExcluded: Int
        var report: ExperimentReport
        var byVersion: [ExperimentReport]
    }

    static func analysis(_ backend: Backend) async throws -> Analysis {
        try await backend.withStores { stores, wallet in
            let posts = try await stores.sync { stores in try build(stores) }
            try await tip(wallet, on: posts)
            return try await stores.sync { stores in try analyse(stores) }
        }
    }

    /// Users, posts, two phases of exposures under two experiment versions, then seeded likes,
    /// comments, reports and viewed pages from before the pre-period to after the stop.
    static func build(_ stores: StoresBackend) throws -> [Post] {
        var random = SeededGenerator(seed: 24)
        var posts: [Post] = []
        try stores.bulkWrite { writer in
            for id in 1...userCount {
                try writer.insertUser(UserProfile(id: UserID(id), displayName: "u\(id)", createdAtEpochSeconds: now - 60 * day))
            }
        }
        try stores.posts.syncCircles([
            CircleDefinition(id: circle, title: "校园日记", location: SourceLocation(file: "campus-diary.lua", line: 1), ruleLocations: [:])
        ])
        try stores.bulkWrite { writer in
            for author in 1...userCount / 2 {
                posts.append(try writer.createPost(
                    circle: circle, author: UserID(author), kind: .text, body: "post \(author)", verdict: .visible, at: now - 30 * day))
            }
        }
        for id in 1...userCount {
            let variant = id % 2 == 0 ? "control" : "treatment"
            #expect(try stores.experiments.recordExposure(
                ExperimentExposure(userID: UserID(id), variant: variant, firstExposedAtEpochSeconds: now - 20 * day, phase: 1),
                experiment: "e1"))
            // Phase 2 leaves out users 1–4; its exposures spread over ten days, the last ones after
            // the tips (which then fall in their pre-period), under two versions.
            guard id > 4 else { continue }
            #expect(try stores.experiments.recordExposure(
                ExperimentExposure(
                    userID: UserID(id), variant: random.next(below: 2) == 0 ? "control" : "treatment",
                    firstExposedAtEpochSeconds: now - 10 * day + id * 7 * 3_600, phase: 2, experimentVersion: versions[Int(id % 2)],
                    pluginVersion: id % 3 == 0 ? versions[0] : nil),
                experiment: "e1"))
        }
        try stores.experiments.force(experiment: "e1", user: UserID(5), variant: "control", at: now - 10 * day)
        func someone() -> UserID { UserID(Int64(random.next(below: UInt64(userCount))) + 1) }
        func somePost() -> Post { posts[Int(random.next(below: UInt64(posts.count)))] }
        // From 14 days before now (before every pre-period) to 2 days after (past the stop).
        func someTime() -> Int64 { now - 14 * day + Int64(random.next(below: UInt64(16 * day))) }
        try stores.bulkWrite { writer in
            for step in 0..<600 {
                let post = somePost()
                switch step % 4 {
                case 0: _ = try writer.like(post.id, by: someone(), at: someTime())
                case 1: try writer.comment(on: post.id, by: someone(), body: "c\(step)", at: someTime())
                case 2: try writer.recordReport(on: post.authorID, by: someone(), at: someTime())
                default: try writer.recordView(post.id, circle: circle, by: someone(), author: post.authorID, at: someTime())
                }
            }
        }
        for _ in 0..<150 {
            let page = (0..<1 + random.next(below: 6)).map { _ in somePost() }
            try stores.views.record(
                page.map { RecordedView(postID: $0.id, circleID: circle, viewerID: someone(), authorID: $0.authorID) }, at: someTime())
        }
        try stores.views.flush()
        return posts
    }

    /// Tips at the wallet's clock (`now`): after some users' exposure, before others'.
    static func tip(_ wallet: WalletService, on posts: [Post]) async throws {
        let users = (1...userCount).map(UserID.init(rawValue:))
        #expect(try await wallet.openAccounts(for: users) == users.count)
        for (index, user) in users.enumerated() where index % 3 == 0 {
            #expect(try await wallet.topUp(user, amountFen: 1_000, idempotencyKey: "top-up-\(user)").code == "ok")
            let post = posts[index % posts.count]
            guard post.authorID != user else { continue }
            #expect(try await wallet.tip(
                from: user, to: post.authorID, postID: post.id, circleID: post.circleID, amountFen: 10 + Int64(index),
                idempotencyKey: "tip-\(user)").code == "ok")
        }
    }

    static func analyse(_ stores: StoresBackend) throws -> Analysis {
        let forced = Set(try stores.experiments.overrides()["e1", default: [:]].keys)
        let observed = try stores.metrics.observations(for: spec, metrics: metrics, excluding: forced, before: stoppedAt, splitByVersion: true)
        func report(_ observations: MetricObservations) -> ExperimentReport {
            ExperimentAnalyzer.analyze(.init(
                spec: spec, metrics: metrics, variants: observations.variants, timeline: observations.timeline,
                forcedUsersExcluded: observations.forcedUsersExcluded, status: .stopped, analyzedAtEpochSeconds: stoppedAt,
                stoppedAtEpochSeconds: stoppedAt, versions: observations.versions, caps: observations.caps))
        }
        return Analysis(
            variants: observed.variants, versions: observed.versions, eventsRead: observed.eventsRead,
            forcedExcluded: observed.forcedUsersExcluded, report: report(observed), byVersion: observed.byVersion.map { report($0.observations) })
    }

    @Test("PostgreSQL's report equals SQLite's: ratios, target attribution, page views, phases, CUPED, by version")
    func sameReport() async throws {
        let sqlite = try await Self.analysis(.sqlite)
        // The world exercises every rule, checked on SQLite (the reference) so this test fails on its own.
        #expect(sqlite.forcedExcluded == 1 && sqlite.variants.map(\.users).reduce(0, +) == Int(Self.userCount) - 5)
        #expect(sqlite.versions.count == 4 && sqlite.byVersion.count == 4)
        for metric in Self.metrics {
            let accumulators = sqlite.variants.compactMap { $0.metrics[metric.id] }
            #expect(accumulators.count == 2 && accumulators.allSatisfy { $0.sumValue > 0 }, "\(metric.id) counts events in each arm")
            switch metric.kind {
            case .ratio: #expect(accumulators.allSatisfy { $0.sumCompanion > 0 }, "\(metric.id) has views")
            case .mean: #expect(accumulators.contains { $0.sumCompanion > 0 }, "\(metric.id) has a CUPED covariate")
            case .proportion: #expect(accumulators.allSatisfy { $0.sumCompanion == 0 })
            case .quantile: #expect(sqlite.variants.allSatisfy { $0.quantiles[metric.id] != nil }, "\(metric.id) has values in each arm")
            }
        }
        #expect(sqlite.eventsRead > 600, "events and every post of each viewed page")
        let cap = try #require(sqlite.report.metrics.first { $0.id == "tips_fen_capped" }?.cap)
        #expect(cap.rule == "p50 of non-zero values" && cap.usersCapped > 0, "the cap bites: \(cap)")
        guard PostgresTestDatabase.url != nil else { return }
        let postgres = try await Self.analysis(.postgres)
        #expect(postgres.variants == sqlite.variants)
        #expect(postgres.versions == sqlite.versions)
        #expect(postgres.eventsRead == sqlite.eventsRead && postgres.forcedExcluded == sqlite.forcedExcluded)
        #expect(postgres.report == sqlite.report)
        #expect(postgres.byVersion == sqlite.byVersion)
    }
}
