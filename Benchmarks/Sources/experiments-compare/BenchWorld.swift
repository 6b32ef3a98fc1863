import Core
import Experiments

/// The analysed world, generated the same way for every backend from one seed: exposed users,
/// events and viewed pages over two weeks. Views are pages of `postsPerPage` posts (`page_views`,
/// as the server stores them); each post counts as one `post.viewed` event, and three events in
/// seven are views, as before views were stored by page.
struct BenchWorld {
    static let userCount = 100_000
    static let startEpochSeconds: Int64 = 1_767_225_600
    static let postsPerPage = 20
    /// One block: 80 events and 3 pages of 20 views (3 in 7 of 140 are views).
    static let eventsPerBlock = 80
    static let pagesPerBlock = 3
    static let blockSize = eventsPerBlock + pagesPerBlock * postsPerPage
    static let otherKinds = ["like.created", "comment.created", "report.created", "tip.sent"]

    let blockCount: Int

    init(events: Int) { blockCount = max(1, events / Self.blockSize) }

    var eventCount: Int { blockCount * Self.blockSize }

    /// Each user's exposure: the variant and the time (spread over the first day).
    static func exposure(of user: Int) -> (variant: String, at: Int64) {
        (user % 2 == 0 ? "control" : "treatment", startEpochSeconds + Int64(user % 86_400))
    }

    /// The rows in one seeded order, a block at a time (a loader may await between blocks).
    struct Generator {
        var random = SeededGenerator(seed: 2016)
        var authors = [Int64](repeating: 0, count: BenchWorld.postsPerPage)

        /// Calls `event` for each event row and `page` for each viewed page of the next block.
        mutating func block(
            event: (_ kind: String, _ at: Int64, _ actor: Int64, _ target: Int64, _ amountFen: Int64?) throws -> Void,
            page: (_ viewer: Int64, _ at: Int64, _ authors: [Int64]) throws -> Void
        ) rethrows {
            for _ in 0..<BenchWorld.eventsPerBlock {
                let kind = BenchWorld.otherKinds[Int(random.next(below: UInt64(BenchWorld.otherKinds.count)))]
                let at = time(), actor = user(), target = user()
                try event(kind, at, actor, target, kind == "tip.sent" ? 500 : nil)
            }
            for _ in 0..<BenchWorld.pagesPerBlock {
                let viewer = user(), at = time()
                for index in authors.indices { authors[index] = user() }
                try page(viewer, at, authors)
            }
        }

        mutating func user() -> Int64 { Int64(random.next(below: UInt64(BenchWorld.userCount))) + 1 }
        mutating func time() -> Int64 { BenchWorld.startEpochSeconds + Int64(random.next(below: 14 * 86_400)) }
    }

    static let metrics = [
        MetricDefinition(id: "comments_per_user", kind: .mean(.init(event: "comment.created"))),
        MetricDefinition(id: "likes_per_user", kind: .mean(.init(event: "like.created"))),
        MetricDefinition(id: "tips_fen_per_user", kind: .mean(.init(event: "tip.sent", valueField: "amount_fen"))),
        MetricDefinition(id: "report_rate", kind: .ratio(numerator: .init(event: "report.created"), denominator: .init(event: "post.viewed")),
                         higherIsBetter: false),
        MetricDefinition(id: "reports_received_rate", kind: .ratio(numerator: .init(event: "report.created"), denominator: .init(event: "post.viewed")),
                         attribution: .target, higherIsBetter: false),
    ]

    static let spec = ExperimentSpec(
        id: "bench", traffic: 1, variants: [.init(name: "control", weight: 0.5), .init(name: "treatment", weight: 0.5)],
        primaryMetric: "comments_per_user", secondaryMetrics: ["likes_per_user", "tips_fen_per_user"],
        guardrails: [Guardrail(metric: "report_rate", maxRelativeChange: 0.1), Guardrail(metric: "reports_received_rate", maxRelativeChange: 0.1)])

    /// `[1,2,3]`: SQLite's `page_views` id lists.
    static func json(_ ids: [Int64]) -> String { "[" + ids.map(String.init).joined(separator: ",") + "]" }
}
