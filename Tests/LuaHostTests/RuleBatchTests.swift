import Core
import Experiments
import PropertyBased
import Social
import Synchronization
import Testing

@testable import LuaHost

/// Credit scores for every user (a function of the id), recording whose score a rule asked for:
/// which subjects of a batch the rule actually ran for.
final class AskedScoresDataSource: ScriptDataSource, Sendable {
    private let askedIDs = Mutex<[UserID]>([])
    var asked: [UserID] { askedIDs.withLock { $0 } }
    func creditScore(_ id: UserID) -> Int? {
        askedIDs.withLock { $0.append(id) }
        return 350 + Int(id.rawValue * 37 % 600)
    }
    func reset() { askedIDs.withLock { $0.removeAll() } }
}

/// Rules that use every way a rule can answer: reasons or none, a reason on an allow, bindings,
/// post fields, the tip amount.
let batchCircleCode = """
    return quanzi.circle {
      id = "mixed", title = "Mixed",
      rules = {
        view = function(user, circle, post)
          if post == nil then return false, "no post" end
          if post.kind == "photo" and not user.verified then return false end
          return post.author_id ~= 3 or user.verified, "hidden from the unverified"
        end,
        post = function(user)
          if quanzi.credit.score(user.id) < 500 then return false, "credit " .. quanzi.credit.score(user.id) end
          return user.gender == "female" or user.occupation == "student", "students and women only"
        end,
        comment = function(user, circle, post)
          local text = post and post.text or ""
          return #text < 20, nil
        end,
        tip = function(user, circle, amount_fen, post)
          if amount_fen == nil then return false, "no amount" end
          return amount_fen <= 10000 + user.id, "at most " .. (10000 + user.id)
        end,
      },
    }
    """

/// Targeting that reads fields and a binding.
let batchExperimentCode = """
    return quanzi.experiment {
      id = "batch-targeting", title = "Batch targeting", status = "running", traffic = 0.8,
      variants = { { name = "control", weight = 0.5 }, { name = "treatment", weight = 0.5 } },
      metrics = { primary = "posts_per_user" },
      targeting = function(user) return user.verified and quanzi.credit.score(user.id) >= 600 end,
    }
    """

enum BatchGen {
    static func users(_ seed: UInt64, count: Int) -> [UserProfile] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            UserProfile(
                id: UserID(Int64(random.int(in: 1...40))), displayName: "u", verified: random.chance(0.6),
                gender: random.pick(Gender.allCases), birthYear: random.chance(0.8) ? random.int(in: 1960...2010) : nil,
                occupation: random.pick(Occupation.allCases), city: random.chance(0.7) ? random.pick(["上海", "北京", "成都"]) : nil)
        }
    }

    static func contexts(_ seed: UInt64, count: Int) -> [RuleContext] {
        var random = SeededGenerator(seed: seed ^ 0xC0FFEE)
        return (0..<count).map { _ in
            let post =
                random.chance(0.1)
                ? nil
                : PostContext(
                    id: random.chance(0.2) ? nil : Int64(random.int(in: 1...30)), authorID: UserID(Int64(random.int(in: 1...6))),
                    kind: random.pick(PostKind.allCases), text: random.chance(0.5) ? String(repeating: "字", count: random.int(in: 0...30)) : nil)
            return RuleContext(post: post, amountFen: random.chance(0.9) ? Int64(random.int(in: 0...12_000)) : nil)
        }
    }
}

@Suite("rules in batches")
struct RuleBatchTests {
    /// A loop of single calls, stopping at the first throw: what a batch must equal.
    static func singly(_ engine: RuleEngine, _ circle: CircleID, _ action: CircleAction, _ subjects: [RuleSubject]) -> RuleDecisions {
        var decisions: [Decision] = []
        for subject in subjects {
            do throws(QuanziError) {
                decisions.append(try engine.evaluate(circle: circle, action: action, user: subject.user, context: subject.context))
            } catch {
                return RuleDecisions(decisions: decisions, failure: error)
            }
        }
        return RuleDecisions(decisions: decisions, failure: nil)
    }

    @Test("random subjects: a batch decides, with reasons and locations, exactly as single calls")
    func batchEqualsSingle() async throws {
        let plugins = try PluginSet.load([source(batchCircleCode, path: "plugins/mixed.lua")] + PluginSet.load(directory: shippedPluginsDirectory).sources)
        let engine = RuleEngine(plugins: plugins, dataSource: AskedScoresDataSource())
        let circles = plugins.circles.map(\.id)
        await propertyCheck(count: 60, input: Gen.uint64(), Gen.int(in: 0...40)) { seed, count in
            let users = BatchGen.users(seed, count: count)
            let contexts = BatchGen.contexts(seed, count: count)
            let subjects = zip(users, contexts).map { RuleSubject(user: $0, context: $1) }
            for circle in circles {
                for action in CircleAction.allCases {
                    let batch = engine.evaluate(circle: circle, action: action, subjects: subjects)
                    #expect(batch == Self.singly(engine, circle, action, subjects), "\(circle) \(action) seed \(seed)")
                    // One viewer, many posts: the feed's shape.
                    guard let viewer = users.first else { continue }
                    let page = try engine.withSession { session in
                        session.evaluate(circle: circle, action: action, user: viewer, contexts: contexts, dataSource: nil)
                    }
                    #expect(page == Self.singly(engine, circle, action, contexts.map { RuleSubject(user: viewer, context: $0) }),
                            "\(circle) \(action) seed \(seed), one viewer")
                }
            }
        }
    }

    @Test("a batch longer than one entry into Lua decides as single calls")
    func longBatch() throws {
        let engine = RuleEngine(plugins: try PluginSet.load([source(batchCircleCode)]), dataSource: AskedScoresDataSource())
        let count = BatchLimits.callsMax * 2 + 17
        let subjects = zip(BatchGen.users(7, count: count), BatchGen.contexts(7, count: count)).map { RuleSubject(user: $0, context: $1) }
        for action in [CircleAction.post, .tip, .view] {
            let batch = engine.evaluate(circle: CircleID("mixed"), action: action, subjects: subjects)
            #expect(batch.failure == nil && batch.decisions.count == count)
            #expect(batch == Self.singly(engine, CircleID("mixed"), action, subjects))
        }
    }

    @Test("each decision of a batch gets the whole instruction budget")
    func budgetPerDecision() throws {
        // About 150,000 instructions a call under a 400,000 limit: twenty calls in one batch
        // would run out if they shared it.
        let code = """
            return quanzi.circle {
              id = "busy", title = "Busy",
              rules = { view = function(user) local n = 0; for i = 1, 150000 do n = n + 1 end; return n > 0 end },
            }
            """
        let engine = RuleEngine(
            plugins: try PluginSet.load([source(code)]), dataSource: EmptyDataSource(), limits: ScriptLimits(instructionLimit: 400_000))
        let subjects = (1...20).map { RuleSubject(user: UserProfile(id: UserID(Int64($0)))) }
        let batch = engine.evaluate(circle: CircleID("busy"), action: .view, subjects: subjects)
        #expect(batch.failure == nil)
        #expect(batch.decisions.count == 20 && batch.decisions.allSatisfy(\.allowed))
    }

    @Test("a failing decision stops the batch with the single call's error; the rest are not asked")
    func failureStopsTheBatch() throws {
        let code = """
            return quanzi.circle {
              id = "odd", title = "Odd",
              rules = {
                view = function(user)
                  quanzi.credit.score(user.id)
                  if user.id == 4 then while true do end end
                  return user.id % 2 == 0, "odd"
                end,
                comment = function(user)
                  quanzi.credit.score(user.id)
                  if user.id == 4 then error("boom") end
                  return true
                end,
                like = function(user)
                  quanzi.credit.score(user.id)
                  if user.id == 4 then return "yes" end
                  return true
                end,
                post = function(user)
                  quanzi.credit.score(user.id)
                  if user.id == 4 then return false, 42 end
                  return true
                end,
              },
            }
            """
        let scores = AskedScoresDataSource()
        let engine = RuleEngine(plugins: try PluginSet.load([source(code)]), dataSource: scores)
        let subjects = (1...8).map { RuleSubject(user: UserProfile(id: UserID(Int64($0)))) }
        let circle = CircleID("odd")
        let expected: [CircleAction: QuanziError] = [
            .view: QuanziError(.instructionLimitExceeded, "plugins/test.lua:6: instruction limit exceeded"),
            .comment: QuanziError(.scriptError, "plugins/test.lua:11: boom"),
            .like: QuanziError(.scriptError, "plugins/test.lua:14: rule 'like' must return true or false (and optionally a reason), got string"),
            .post: QuanziError(.scriptError, "plugins/test.lua:19: rule 'post' must give its reason as a string, got number"),
        ]
        for (action, error) in expected {
            scores.reset()
            let batch = engine.evaluate(circle: circle, action: action, subjects: subjects)
            #expect(batch.failure == error, "\(action)")
            #expect(batch.decisions.count == 3, "\(action)")
            #expect(scores.asked == (1...4).map { UserID(Int64($0)) }, "\(action): the rule never ran for the subjects after the failure")
            #expect(batch == Self.singly(engine, circle, action, subjects), "\(action)")
            #expect(throws: error) { try batch.get() }
        }
        #expect(engine.evaluate(circle: circle, action: .view, subjects: Array(subjects.prefix(3))).failure == nil, "the engine works after a limit")
    }

    @Test("a session stopped at a limit refuses later batches, as it refuses single calls")
    func poisonedSession() throws {
        let code = """
            return quanzi.circle {
              id = "odd", title = "Odd",
              rules = { view = function(user) if user.id == 2 then while true do end end return true end },
            }
            """
        let engine = RuleEngine(plugins: try PluginSet.load([source(code)]), dataSource: EmptyDataSource())
        let viewer = UserProfile(id: UserID(2))
        try engine.withSession { session in
            let first = session.evaluate(circle: CircleID("odd"), action: .view, user: viewer, contexts: [RuleContext()], dataSource: nil)
            #expect(first.failure?.code == .instructionLimitExceeded)
            let second = session.evaluate(circle: CircleID("odd"), action: .view, subjects: [RuleSubject(user: UserProfile(id: UserID(1)))], dataSource: nil)
            #expect(second == RuleDecisions(decisions: [], failure: QuanziError(.scriptError, "this rule session's Lua state stopped at a limit")))
        }
    }

    @Test("an unknown circle fails the batch and a missing rule denies every subject")
    func unknownCircleAndMissingRule() throws {
        let engine = RuleEngine(plugins: try PluginSet.load([source(batchCircleCode)]), dataSource: AskedScoresDataSource())
        let subjects = (1...3).map { RuleSubject(user: UserProfile(id: UserID(Int64($0)))) }
        #expect(engine.evaluate(circle: CircleID("nope"), action: .view, subjects: subjects) == Self.singly(engine, CircleID("nope"), .view, subjects))
        let missing = engine.evaluate(circle: CircleID("mixed"), action: .report, subjects: subjects)
        #expect(missing.decisions.count == 3 && missing.decisions.allSatisfy { $0.reason == "circle 'mixed' has no 'report' rule" })
        #expect(missing == Self.singly(engine, CircleID("mixed"), .report, subjects))
        #expect(engine.evaluate(circle: CircleID("mixed"), action: .view, subjects: []) == RuleDecisions(decisions: [], failure: nil))
    }

    @Test("targeting and assignment in a batch equal one user at a time")
    func targetingBatch() async throws {
        let experiments = try ExperimentSet.load([testMetrics, source(batchExperimentCode, path: "experiments/batch.lua")])
        let engine = ExperimentEngine(experiments: experiments, dataSource: AskedScoresDataSource())
        await propertyCheck(count: 100, input: Gen.uint64(), Gen.int(in: 0...300)) { seed, count in
            let users = BatchGen.users(seed, count: count)
            let targeted = try engine.isTargeted(users, experiment: "batch-targeting")
            let targetedSingly = try users.map { try engine.isTargeted($0, experiment: "batch-targeting") }
            #expect(targeted == targetedSingly)
            let assigned = try engine.assign(users, to: "batch-targeting")
            let assignedSingly = try users.map { try engine.assign($0, to: "batch-targeting") }
            #expect(assigned == assignedSingly)
        }
    }

    @Test("targeting that fails throws the first failing user's error")
    func targetingFailure() throws {
        let code = batchExperimentCode.replacingOccurrences(
            of: "targeting = function(user) return", with: "targeting = function(user) if user.id == 5 then error('no five') end return")
        let engine = ExperimentEngine(experiments: try ExperimentSet.load([testMetrics, source(code, path: "experiments/batch.lua")]), dataSource: AskedScoresDataSource())
        let users = (1...9).map { UserProfile(id: UserID(Int64($0)), verified: true) }
        let single: QuanziError
        do throws(QuanziError) {
            for user in users { _ = try engine.isTargeted(user, experiment: "batch-targeting") }
            Issue.record("user 5's targeting should fail")
            return
        } catch { single = error }
        #expect(throws: single) { try engine.isTargeted(users, experiment: "batch-targeting") }
    }
}
