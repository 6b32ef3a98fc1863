import Foundation
import Core
import Social
import Synchronization
import Testing

@testable import LuaHost

/// Credit scores by user id; everything else empty.
struct CreditOnlyDataSource: ScriptDataSource {
    var scores: [UserID: Int]
    func creditScore(_ id: UserID) -> Int? { scores[id] }
    func creditExplanation(_ id: UserID) -> ScriptValue? {
        scores[id].map { .record([.init("score", .integer(Int64($0))), .init("reasons", .list([.string("on-time repayments")]))]) }
    }
}

/// Profiles that a test may change; everything else empty.
final class ProfilesDataSource: ScriptDataSource, Sendable {
    private let profiles: Mutex<[UserID: UserProfile]>
    init(_ profiles: [UserID: UserProfile]) { self.profiles = Mutex(profiles) }
    func set(_ profile: UserProfile) { profiles.withLock { $0[profile.id] = profile } }
    func user(_ id: UserID) -> UserProfile? { profiles.withLock { $0[id] } }
}

func shippedPlugins() throws -> PluginSet {
    try PluginSet.load(directory: shippedPluginsDirectory)
}

/// The repository's plugins/ folder, found from this file's path.
let shippedPluginsDirectory: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("plugins").path
}()

let student = UserProfile(id: UserID(7), verified: true, verifiedAtEpochSeconds: 1, gender: .female, birthYear: 2004, occupation: .student)
let maleStudent = UserProfile(id: UserID(8), verified: true, verifiedAtEpochSeconds: 1, gender: .male, birthYear: 2004, occupation: .student)

@Suite("rule engine")
struct RuleEngineTests {
    @Test("the shipped campus-diary rules decide with their reasons and locations")
    func campusDiary() throws {
        let engine = RuleEngine(plugins: try shippedPlugins(), dataSource: CreditOnlyDataSource(scores: [UserID(7): 760, UserID(8): 700]))
        let campus = CircleID("campus-diary")
        let allowed = try engine.evaluate(circle: campus, action: .post, user: student)
        #expect(allowed.allowed)
        let denied = try engine.evaluate(circle: campus, action: .post, user: maleStudent)
        #expect(!denied.allowed)
        #expect(denied.reason == "only verified female students may post here")
        #expect(denied.location?.file.hasSuffix("plugins/campus-diary.lua") == true)
        #expect(try engine.evaluate(circle: campus, action: .comment, user: student).allowed)
        let noComment = try engine.evaluate(circle: campus, action: .comment, user: maleStudent)
        #expect(noComment.reason == "credit score 750+ required to comment")
        #expect(try engine.evaluate(circle: campus, action: .tip, user: maleStudent, context: RuleContext(amountFen: 20_000)).allowed)
        #expect(try !engine.evaluate(circle: campus, action: .tip, user: maleStudent, context: RuleContext(amountFen: 20_001)).allowed)
    }

    @Test("the shipped plugins' own Lua tests pass")
    func shippedTestsPass() throws {
        let outcomes = RuleTestRunner.run(RuleEngine(plugins: try shippedPlugins(), dataSource: EmptyDataSource()))
        #expect(outcomes.count >= 20)
        #expect(outcomes.filter { !$0.passed }.map(\.description) == [])
    }

    @Test("a failing plugin test says where and why")
    func failingTest() throws {
        let code = """
            return quanzi.circle {
              id = "strict", title = "Strict",
              rules = { post = function(user) return user.verified, "verify first" end },
              tests = {
                { user = { verified = false }, action = "post", expect = true },
              },
            }
            """
        let outcomes = RuleTestRunner.run(RuleEngine(plugins: try PluginSet.load([source(code)]), dataSource: EmptyDataSource()))
        let outcome = try #require(outcomes.first)
        #expect(!outcome.passed)
        #expect(outcome.description.hasPrefix("plugins/test.lua:5: FAIL:"))
        #expect(outcome.failure == "expected allowed, got denied: verify first (rule at plugins/test.lua:3)")
    }

    @Test("an unknown circle, a missing rule, a bad result and a runaway rule")
    func failures() throws {
        let code = """
            return quanzi.circle {
              id = "odd", title = "Odd",
              rules = {
                view = function(user) return "yes" end,
                like = function(user) while true do end end,
                comment = function(user) return false, 42 end,
                post = function(user) return true end,
              },
            }
            """
        let engine = RuleEngine(plugins: try PluginSet.load([source(code)]), dataSource: EmptyDataSource())
        let user = UserProfile(id: UserID(1))
        #expect(throws: QuanziError(.circleNotFound, "no circle 'nope'")) {
            try engine.evaluate(circle: CircleID("nope"), action: .view, user: user)
        }
        let missing = try engine.evaluate(circle: CircleID("odd"), action: .tip, user: user)
        #expect(!missing.allowed && missing.reason == "circle 'odd' has no 'tip' rule")
        #expect(throws: QuanziError(.scriptError, "plugins/test.lua:4: rule 'view' must return true or false (and optionally a reason), got string")) {
            try engine.evaluate(circle: CircleID("odd"), action: .view, user: user)
        }
        #expect(throws: QuanziError(.scriptError, "plugins/test.lua:6: rule 'comment' must give its reason as a string, got number")) {
            try engine.evaluate(circle: CircleID("odd"), action: .comment, user: user)
        }
        #expect(throws: QuanziError(.instructionLimitExceeded, "plugins/test.lua:5: instruction limit exceeded")) {
            try engine.evaluate(circle: CircleID("odd"), action: .like, user: user)
        }
        #expect(try engine.evaluate(circle: CircleID("odd"), action: .post, user: user).allowed, "the engine works after a limit")
    }

    @Test("users are read-only proxies")
    func readOnlyUser() throws {
        let code = """
            return quanzi.circle {
              id = "sneaky", title = "Sneaky",
              rules = {
                post = function(user) user.verified = true return true end,
                view = function(user) return not pcall(rawset, user, "verified", true), "rawset refused" end,
                like = function(user)
                  local n = 0
                  for k, v in pairs(user) do n = n + 1 end
                  return n >= 6 and user.verified == false and user.gender == "male", "fields readable"
                end,
                comment = function(user) return getmetatable(user) == "read-only", "metatable locked" end,
              },
            }
            """
        let engine = RuleEngine(plugins: try PluginSet.load([source(code)]), dataSource: EmptyDataSource())
        let user = UserProfile(id: UserID(3), gender: .male)
        do {
            _ = try engine.evaluate(circle: CircleID("sneaky"), action: .post, user: user)
            Issue.record("writing a field must fail")
        } catch {
            #expect(error.message == "plugins/test.lua:4: read-only: cannot set field 'verified'")
        }
        #expect(try engine.evaluate(circle: CircleID("sneaky"), action: .view, user: user).allowed)
        #expect(try engine.evaluate(circle: CircleID("sneaky"), action: .like, user: user).allowed)
        #expect(try engine.evaluate(circle: CircleID("sneaky"), action: .comment, user: user).allowed)
    }

    /// Stored posts' proxies are cached per state by id: a post whose content differs from the
    /// cached one (a rule test reusing an id) is rebuilt, many posts overflow the cache safely,
    /// and a cached proxy stays read-only.
    @Test("post proxies are cached, follow their content and stay read-only")
    func cachedPosts() throws {
        let code = """
            return quanzi.circle {
              id = "clips", title = "Clips",
              rules = {
                view = function(user, circle, post) return post.kind == "video" and post.text == "hello", "videos saying hello" end,
                like = function(user, circle, post) post.text = "changed" return true end,
              },
            }
            """
        let engine = RuleEngine(plugins: try PluginSet.load([source(code)]), dataSource: EmptyDataSource())
        let user = UserProfile(id: UserID(3))
        func sees(_ id: Int64, kind: PostKind = .video, text: String = "hello") throws -> Bool {
            try engine.withSession { session throws(QuanziError) in
                try session.evaluate(
                    circle: CircleID("clips"), action: .view, user: user,
                    context: RuleContext(post: PostContext(id: id, authorID: UserID(4), kind: kind, text: text)), dataSource: EmptyDataSource()
                ).allowed
            }
        }
        #expect(try sees(1) && sees(1))
        #expect(try !sees(1, text: "bye") && !sees(1, kind: .text) && sees(1))
        // More posts than the cache holds (4,096 entries), twice over: every answer still right.
        for round in 0..<2 {
            for id in Int64(10)..<Int64(5_000) {
                let kind: PostKind = id % 3 == 0 ? .text : .video
                guard try sees(id, kind: kind) == (kind == .video) else {
                    Issue.record("post \(id) decided wrongly in round \(round)")
                    return
                }
            }
        }
        do {
            _ = try engine.evaluate(
                circle: CircleID("clips"), action: .like, user: user,
                context: RuleContext(post: PostContext(id: 1, authorID: UserID(4), kind: .video, text: "hello")))
            Issue.record("writing a cached post's field must fail")
        } catch {
            #expect(error.message.contains("read-only: cannot set field 'text'"))
        }
        #expect(try sees(1))
    }

    /// `quanzi.user` answers from the state's proxy cache once a user was asked for, and a
    /// changed profile is answered as it is now, never from a stale proxy.
    @Test("quanzi.user is cached per state and follows profile changes")
    func cachedUserBinding() throws {
        let profiles = ProfilesDataSource([UserID(5): UserProfile(id: UserID(5), city: "Hangzhou")])
        let code = """
            return quanzi.circle {
              id = "local", title = "Local",
              rules = {
                view = function(user, circle, post)
                  local author = quanzi.user(post.author_id)
                  return author ~= nil and author.city == "Hangzhou", "Hangzhou authors only"
                end,
                like = function(user, circle, post)
                  return rawequal(quanzi.user(post.author_id), quanzi.user(post.author_id)), "not the cached proxy"
                end,
              },
            }
            """
        let engine = RuleEngine(plugins: try PluginSet.load([source(code)]), dataSource: profiles)
        func sees(author: Int64) throws -> Bool {
            try engine.evaluate(
                circle: CircleID("local"), action: .view, user: UserProfile(id: UserID(3)),
                context: RuleContext(post: PostContext(id: 1, authorID: UserID(author)))
            ).allowed
        }
        #expect(try sees(author: 5) && sees(author: 5))
        // Both answers are the one proxy cached after the first call (one state in this test).
        let like = try engine.evaluate(
            circle: CircleID("local"), action: .like, user: UserProfile(id: UserID(3)),
            context: RuleContext(post: PostContext(id: 1, authorID: UserID(5))))
        #expect(like.allowed)
        #expect(try !sees(author: 6), "an unknown user is nil")
        profiles.set(UserProfile(id: UserID(5), city: "Beijing"))
        #expect(try !sees(author: 5), "the moved author is answered as now")
        profiles.set(UserProfile(id: UserID(5), city: "Hangzhou"))
        #expect(try sees(author: 5))
    }

    @Test("bindings answer from the data source and accept users or ids")
    func bindings() throws {
        let console = try ScriptConsole(dataSource: CreditOnlyDataSource(scores: [UserID(5): 812]))
        #expect(try console.run("return quanzi.credit.score(5)").values == [.integer(812)])
        let explain = try console.run("local e = quanzi.credit.explain(5) return e.score, e.reasons[1], #e.reasons").values
        #expect(explain == [.integer(812), .string("on-time repayments"), .integer(1)])
        let missing = try #require(try scriptError("return quanzi.credit.score(6)", console: console))
        #expect(missing.description == "eval:1: no credit score for user 6")
        #expect(try console.run("return quanzi.ab.param(5, 'some-test', 'min_credit', 750)").values == [.integer(750)])
        #expect(try console.run("return quanzi.social.are_friends(1, 2)").values == [.boolean(false)])
    }

    @Test("many tasks evaluating at once decide exactly as one task does")
    func concurrency() async throws {
        var scores: [UserID: Int] = [:]
        for index in 1...200 { scores[UserID(Int64(index))] = 600 + index * 2 }
        let engine = RuleEngine(plugins: try shippedPlugins(), dataSource: CreditOnlyDataSource(scores: scores))
        let circles: [CircleID] = ["campus-diary", "white-collar-diary", "friends", "nearby"].map { CircleID($0) }
        let users: [UserProfile] = (1...200).map { (index: Int) -> UserProfile in
            let gender: Gender = index % 2 == 0 ? .female : .male
            let occupation: Occupation = index % 5 == 0 ? .officeWorker : .student
            return UserProfile(id: UserID(Int64(index)), verified: index % 3 != 0, verifiedAtEpochSeconds: 1,
                               gender: gender, occupation: occupation, city: index % 4 == 0 ? "Hangzhou" : nil)
        }
        var cases: [(CircleID, CircleAction, UserProfile)] = []
        for user in users {
            for circle in circles {
                for action in [CircleAction.post, .comment, .tip] { cases.append((circle, action, user)) }
            }
        }
        let sequential = try cases.map { try engine.evaluate(circle: $0.0, action: $0.1, user: $0.2, context: RuleContext(amountFen: 15_000)) }
        let concurrent = try await withThrowingTaskGroup(of: (Int, Decision).self) { group in
            for (index, item) in cases.enumerated() {
                group.addTask { (index, try engine.evaluate(circle: item.0, action: item.1, user: item.2, context: RuleContext(amountFen: 15_000))) }
            }
            var results = [Decision?](repeating: nil, count: cases.count)
            for try await (index, decision) in group { results[index] = decision }
            return results.compactMap { $0 }
        }
        #expect(concurrent == sequential)
        #expect(Set(sequential.map { $0.allowed }).count == 2, "the cases exercise both outcomes")
    }
}
