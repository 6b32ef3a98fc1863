import Core
import Social
import Synchronization
import Testing

@testable import LuaHost

/// Experiment answers that depend on the user, the experiment, the key and a phase the test moves,
/// counting every question that reached Swift. `failFirst` makes the first question throw.
final class PhasedExperiments: ScriptDataSource, Sendable {
    private struct State {
        var phase = 1
        var asked = 0
        var failFirst = false
    }
    private let state = Mutex(State())

    var asked: Int { state.withLock { $0.asked } }
    func reset(failFirst: Bool = false) { state.withLock { $0.asked = 0; $0.failFirst = failFirst } }
    func move(toPhase phase: Int) { state.withLock { $0.phase = phase } }

    func experimentParameter(user: UserID, experiment: String, key: String, circle: CircleID?) throws(QuanziError) -> ScriptValue? {
        let phase = try ask()
        // Users with an id divisible by 3 are outside the experiment: the rule's default answers.
        guard user.rawValue % 3 != 0 else { return nil }
        return .integer(user.rawValue * 10 + Int64(phase) * 1000 + Int64(key.utf8.count + experiment.utf8.count))
    }

    func experimentVariant(user: UserID, experiment: String, circle: CircleID?) throws(QuanziError) -> String? {
        let phase = try ask()
        return user.rawValue % 2 == 0 ? nil : "treatment-\(phase)"
    }

    func areFriends(_ first: UserID, _ second: UserID) -> Bool {
        state.withLock { $0.asked += 1 }
        return (first.rawValue + second.rawValue) % 3 == 0
    }

    func creditScore(_ id: UserID) -> Int? {
        state.withLock { $0.asked += 1 }
        return 500 + Int(id.rawValue)
    }

    private func ask() throws(QuanziError) -> Int {
        let (phase, fail) = state.withLock { state in
            state.asked += 1
            defer { state.failFirst = false }
            return (state.phase, state.failFirst)
        }
        if fail { throw QuanziError(.invalidArgument, "experiment store unavailable") }
        return phase
    }
}

/// Each rule asks a `batchMemoArguments` binding on every decision; the post's id makes every
/// call's default (and so a denial's reason) its own.
let memoCircleCode = """
    return quanzi.circle {
      id = "memo", title = "Memo",
      rules = {
        view = function(user, circle, post)
          local bar = quanzi.ab.param(user, "exp-a", "bar", post and post.id or -1)
          local other = quanzi.ab.param(user.id, "exp-b", "bar", 7)
          return (bar + other) % 2 == 0, "bar " .. bar .. " other " .. other
        end,
        comment = function(user, circle, post)
          local variant = quanzi.ab.variant(user, "exp-a")
          if variant == nil then return false, "outside" end
          return quanzi.credit.score(user) > 500, variant
        end,
        post = function(user, circle, post)
          if post == nil then return false, "no post" end
          return quanzi.social.are_friends(user.id, post.author_id), "not friends with " .. post.author_id
        end,
        tip = function(user, circle, amount_fen, post)
          -- The default is the user: outside the experiment the host hands a user proxy back as its id.
          local answer = quanzi.ab.param(user, "exp-c", "k", user)
          local fresh = quanzi.ab.param(user, "exp-c", "k2", { amount_fen })
          local ok = (answer == user.id or answer > 1000) and (type(fresh) ~= "table" or fresh[1] == amount_fen)
          return ok, type(answer) .. " " .. type(fresh)
        end,
        report = function(user, circle, post)
          return false, "bar " .. quanzi.ab.param(user, "exp-a", "bar", -1)
        end,
        like = function(user, circle, post)
          local ok, value = pcall(quanzi.ab.param, user, "exp-a", "bar", 0)
          if not ok then return false, value end
          return true
        end,
      },
    }
    """

@Suite("the batch memo of binding answers")
struct BatchMemoTests {
    static let circle = CircleID("memo")

    static func contexts(_ count: Int) -> [RuleContext] {
        (0..<count).map { RuleContext(post: $0 % 4 == 0 ? nil : PostContext(id: Int64($0), authorID: UserID(Int64($0 % 5)))) }
    }

    static func page(_ engine: RuleEngine, _ action: CircleAction, _ user: UserProfile, _ contexts: [RuleContext]) throws -> RuleDecisions {
        try engine.withSession { session in
            session.evaluate(circle: circle, action: action, user: user, contexts: contexts, dataSource: nil)
        }
    }

    @Test("one user's page asks Swift once per question and decides exactly as single calls, each with its own default")
    func oncePerQuestion() throws {
        let experiments = PhasedExperiments()
        let engine = RuleEngine(plugins: try PluginSet.load([source(memoCircleCode)]), dataSource: experiments)
        let contexts = Self.contexts(40)
        for id in [1, 2, 3, 6] {
            let user = UserProfile(id: UserID(Int64(id)))
            for action in [CircleAction.view, .comment] {
                experiments.reset()
                let single = RuleBatchTests.singly(engine, Self.circle, action, contexts.map { RuleSubject(user: user, context: $0) })
                let askedSingly = experiments.asked
                experiments.reset()
                let batch = try Self.page(engine, action, user, contexts)
                #expect(batch == single, "user \(id) \(action)")
                #expect(batch.failure == nil && batch.decisions.count == contexts.count)
                let questions = action == .view ? 2 : (id % 2 == 0 ? 1 : 2)
                #expect(askedSingly == questions * contexts.count, "user \(id) \(action)")
                #expect(experiments.asked == questions, "user \(id) \(action): each question reached Swift once")
            }
        }
        // Friendship with each author is asked once per page, whoever wrote how many of its posts.
        for id in [1, 2] {
            let user = UserProfile(id: UserID(Int64(id)))
            experiments.reset()
            let page = try Self.page(engine, .post, user, contexts)
            let authors = Set(contexts.compactMap { $0.post?.authorID })
            #expect(experiments.asked == authors.count, "user \(id): one question per author")
            #expect(page == RuleBatchTests.singly(engine, Self.circle, .post, contexts.map { RuleSubject(user: user, context: $0) }))
            #expect(page.decisions.contains { $0.allowed } && page.decisions.contains { !$0.allowed })
        }
        // Outside the experiment every call answers with its own default: the denials' reasons differ.
        let outside = try Self.page(engine, .view, UserProfile(id: UserID(3)), contexts)
        let denials = outside.decisions.filter { !$0.allowed }
        #expect(denials.count > 5 && Set(denials.compactMap(\.reason)).count == denials.count)
    }

    @Test("a remembered 'the caller's argument' is each call's own argument, as the host would have handed it back")
    func argumentAnswers() throws {
        let experiments = PhasedExperiments()
        let engine = RuleEngine(plugins: try PluginSet.load([source(memoCircleCode)]), dataSource: experiments)
        let contexts = (0..<10).map { RuleContext(amountFen: Int64($0 * 100)) }
        for id in [3, 4] {
            let user = UserProfile(id: UserID(Int64(id)))
            experiments.reset()
            let page = try Self.page(engine, .tip, user, contexts)
            #expect(experiments.asked == 2, "user \(id): each of the two questions once")
            #expect(page == RuleBatchTests.singly(engine, Self.circle, .tip, contexts.map { RuleSubject(user: user, context: $0) }))
            #expect(page.decisions.count == contexts.count && page.decisions.allSatisfy { $0.allowed }, "user \(id): \(page)")
        }
    }

    @Test("nothing remembered reaches another user, another batch or a later phase")
    func noLeaks() throws {
        let experiments = PhasedExperiments()
        let engine = RuleEngine(plugins: try PluginSet.load([source(memoCircleCode)]), dataSource: experiments)
        let contexts = Self.contexts(12)
        let first = UserProfile(id: UserID(1))
        let second = UserProfile(id: UserID(2))
        try engine.withSession { session in
            for (user, phase) in [(first, 1), (second, 1), (first, 2), (second, 3)] {
                experiments.move(toPhase: phase)
                for action in [CircleAction.view, .report] {
                    let page = session.evaluate(circle: Self.circle, action: action, user: user, contexts: contexts, dataSource: nil)
                    let single = RuleBatchTests.singly(engine, Self.circle, action, contexts.map { RuleSubject(user: user, context: $0) })
                    #expect(page == single, "user \(user.id) in phase \(phase), \(action)")
                }
                let reported = session.evaluate(circle: Self.circle, action: .report, user: user, contexts: contexts, dataSource: nil)
                let bar = 10 * user.id.rawValue + 1000 * Int64(phase) + 8
                #expect(reported.decisions.count == contexts.count, "user \(user.id) in phase \(phase)")
                #expect(reported.decisions.allSatisfy { $0.reason == "bar \(bar)" }, "user \(user.id) in phase \(phase)")
            }
        }
        // Different users in one batch are never served each other's answers.
        let subjects = (1...30).map { RuleSubject(user: UserProfile(id: UserID(Int64($0 % 7))), context: contexts[$0 % contexts.count]) }
        let mixed = engine.evaluate(circle: Self.circle, action: .view, subjects: subjects)
        #expect(mixed == RuleBatchTests.singly(engine, Self.circle, .view, subjects))
    }

    @Test("an answer that failed is asked again, not remembered")
    func errorsAreNotRemembered() throws {
        let experiments = PhasedExperiments()
        let engine = RuleEngine(plugins: try PluginSet.load([source(memoCircleCode)]), dataSource: experiments)
        let contexts = Self.contexts(6)
        let user = UserProfile(id: UserID(4))
        experiments.reset(failFirst: true)
        let single = RuleBatchTests.singly(engine, Self.circle, .like, contexts.map { RuleSubject(user: user, context: $0) })
        experiments.reset(failFirst: true)
        let batch = try Self.page(engine, .like, user, contexts)
        #expect(batch == single)
        #expect(batch.decisions.first?.allowed == false)
        #expect(batch.decisions.first?.reason?.hasSuffix("experiment store unavailable") == true)
        #expect(batch.decisions.dropFirst().allSatisfy { $0.allowed })
        #expect(experiments.asked == 2, "the failed question and its first success")
    }
}
