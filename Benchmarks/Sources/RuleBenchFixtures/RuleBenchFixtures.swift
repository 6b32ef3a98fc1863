// What the rule benchmarks evaluate, shared by the ordo-one suite (Benchmarks/RuleEvaluation) and
// the side-by-side tool (rule-eval-compare), so both time exactly the same thing.
//
// Core and Social are not products of the Quanzi package; they are imported here as the modules
// LuaHost's public API is written in (CircleID, UserProfile…), which SwiftPM builds alongside it.
import Core
import Foundation
import LuaHost
import Social

public enum RuleBench {
    /// The seed's circle: its `post` rule reads user fields and asks `quanzi.ab.param`, its
    /// `comment` rule asks `quanzi.ab.param` and calls back into Swift through `quanzi.credit.score`.
    public static let circle = CircleID("campus-diary")

    /// The credit score every user gets from `FixedCreditScores`: above the comment rule's 750 bar,
    /// so the rule runs to the end and allows.
    public static let creditScore = 800

    /// `/work/main/Benchmarks`, found from this file's path so the tools run from any directory.
    public static let benchmarksDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // RuleBenchFixtures
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()  // Benchmarks

    /// The shipped plugins (`QUANZI_PLUGINS` overrides).
    public static var pluginsDirectory: String {
        ProcessInfo.processInfo.environment["QUANZI_PLUGINS"]
            ?? benchmarksDirectory.deletingLastPathComponent().appendingPathComponent("plugins").path
    }

    /// The circle's plugin file: the baseline reads its rules from it, so both sides run the same.
    public static var pluginPath: String { pluginsDirectory + "/" + circle.rawValue + ".lua" }

    /// The in-interpreter baseline: the same rules, looped inside a standalone lua5.4.
    public static var luaBaselineScript: String {
        benchmarksDirectory.appendingPathComponent("lua/rule_loop.lua").path
    }

    /// Loads the real plugins and builds the engine the service would use, then evaluates each
    /// timed rule once: the first evaluation builds the pool's state (every plugin compiled
    /// again), which must stay out of the timings, and a rule that does not decide as expected
    /// would have us time an error path.
    public static func makeEngine() throws -> RuleEngine {
        let plugins = try PluginSet.load(directory: pluginsDirectory)
        let engine = RuleEngine(plugins: plugins, dataSource: FixedCreditScores(score: creditScore))
        for action in [CircleAction.post, .comment] {
            let decision = try engine.evaluate(circle: circle, action: action, user: student)
            guard decision.allowed else {
                throw QuanziError(.invalidPlugin, "campus-diary \(action.rawValue) should allow the student: \(decision)")
            }
        }
        // The view rows time both answers: her own posts allowed, strangers' denied with a reason.
        let page = feedCandidates(count: 2)
        let own = try engine.evaluate(circle: viewCircle, action: .view, user: student, context: page[0])
        let stranger = try engine.evaluate(circle: viewCircle, action: .view, user: student, context: page[1])
        guard own.allowed, !stranger.allowed, stranger.reason != nil else {
            throw QuanziError(.invalidPlugin, "friends view should allow her own post and deny a stranger's: \(own), \(stranger)")
        }
        return engine
    }

    /// The circle whose `view` rule the feed benchmark rows ask: it reads the post's author and,
    /// for a post by someone else, calls back into Swift (`quanzi.social.are_friends`).
    public static let viewCircle = CircleID("friends")

    /// Candidates per view-rule batch: a feed page's view checks come in chunks of up to 64
    /// (`QuanziService.viewChecksPerChunkMax`).
    public static let feedChunkSize = 64

    /// One chunk of a feed page's candidates for `student`: stored posts (cached proxies, as the
    /// posts near the top of a circle are), every fifth by the student herself, the rest by
    /// eleven other authors. Deterministic.
    public static func feedCandidates(count: Int) -> [RuleContext] {
        (0..<count).map { index in
            let author = index % 5 == 0 ? student.id : UserID(Int64(40_000_000 + index % 11))
            return RuleContext(post: PostContext(id: Int64(90_000 + index), authorID: author, kind: .text, text: "diary \(index)"))
        }
    }

    /// A verified female student: the `post` rule reads every field it tests and allows.
    /// `lua/rule_loop.lua` builds the same record as a plain Lua table.
    public static let student = UserProfile(
        id: UserID(20_160_001), displayName: "林晓", verified: true, verifiedAtEpochSeconds: 1_470_000_000,
        gender: .female, birthYear: 1997, occupation: .student, school: "复旦大学", city: "上海",
        createdAtEpochSeconds: 1_460_000_000)

    /// `count` distinct users (different ids, so every one is a new proxy-cache key), a mix that
    /// the `post` rule allows and denies at each of its checks. Deterministic, no randomness.
    public static func users(count: Int) -> [UserProfile] {
        let cities = ["上海", "北京", "杭州", "成都", "广州", "武汉"]
        return (0..<count).map { index in
            let occupation = Occupation.allCases[index % Occupation.allCases.count]
            return UserProfile(
                id: UserID(Int64(30_000_000 + index)), displayName: "user \(index)", verified: index % 5 != 0,
                verifiedAtEpochSeconds: index % 5 != 0 ? 1_470_000_000 + Int64(index) : nil,
                gender: Gender.allCases[index % Gender.allCases.count], birthYear: 1980 + index % 25,
                occupation: occupation, school: occupation == .student ? "大学 \(index % 40)" : nil,
                employer: occupation == .officeWorker ? "公司 \(index % 90)" : nil,
                city: cities[index % cities.count], createdAtEpochSeconds: 1_450_000_000 + Int64(index) * 600)
        }
    }
}

/// Answers `quanzi.credit.score` with one fixed score and knows nothing else: the `comment`
/// rule's callback into Swift then costs the binding itself, not a lookup.
public struct FixedCreditScores: ScriptDataSource {
    public let score: Int

    public init(score: Int) { self.score = score }

    public func creditScore(_ id: UserID) -> Int? { score }
}
