import Core
import Social

/// The outcome of one Lua test case (a plugin's or an experiment's).
public struct LuaTestOutcome: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var title: String
    /// Nil when the case passed.
    public var failure: String?

    public var passed: Bool { failure == nil }

    public var description: String {
        guard let failure else { return "\(location): ok: \(title)" }
        return "\(location): FAIL: \(title): \(failure)"
    }
}

/// Runs every plugin's `tests` table against its rules, each case with a fixture world that
/// holds just the case's user, the post's author and their friendship.
public enum RuleTestRunner {
    public static func run(_ engine: RuleEngine) -> [LuaTestOutcome] {
        engine.plugins.tests.map { test in
            let fixture = FixtureDataSource(test)
            do throws(QuanziError) {
                let decision = try engine.evaluate(circle: test.circle, action: test.action, user: test.user, context: test.context, dataSource: fixture)
                let audience = engine.plugins.circle(test.circle)?.audience ?? .everyone
                let failure = mismatch(test, decision) ?? audienceMismatch(test, decision, audience: audience, fixture: fixture)
                return LuaTestOutcome(location: test.location, title: test.title, failure: failure)
            } catch {
                return LuaTestOutcome(location: test.location, title: test.title, failure: "the rule failed: \(error.message)")
            }
        }
    }

    /// A feed drops posts outside the circle's declared audience before the `view` rule runs, so
    /// a case the rule allows but the audience refuses would never be shown: say so.
    private static func audienceMismatch(_ test: RuleTestCase, _ decision: Decision, audience: CircleAudience, fixture: FixtureDataSource) -> String? {
        guard test.action == .view, decision.allowed, let authorID = test.context.post?.authorID ?? test.author?.id else { return nil }
        let admitted: Bool
        switch audience {
        case .everyone: admitted = true
        case .friends: admitted = authorID == test.user.id || fixture.areFriends(test.user.id, authorID)
        case .sameCity: admitted = test.user.city != nil && fixture.user(authorID)?.city == test.user.city
        }
        guard !admitted else { return nil }
        return "the view rule allows this, but the circle's audience '\(audience.rawValue)' hides the post from this viewer before the rule runs"
    }

    private static func mismatch(_ test: RuleTestCase, _ decision: Decision) -> String? {
        let rule = decision.location.map { " (rule at \($0))" } ?? ""
        if decision.allowed != test.expectAllowed {
            let got = decision.allowed ? "allowed" : "denied: \(decision.reason ?? "no reason given")"
            return "expected \(test.expectAllowed ? "allowed" : "denied"), got \(got)\(rule)"
        }
        if let expected = test.expectedReason, !decision.allowed, !(decision.reason ?? "").contains(expected) {
            return "expected the reason to contain \"\(expected)\", got \"\(decision.reason ?? "")\"\(rule)"
        }
        return nil
    }
}

/// The world of one test case.
struct FixtureDataSource: ScriptDataSource {
    let users: [UserID: UserProfile]
    let creditScores: [UserID: Int]
    let friendship: Set<UserID>?

    init(user: UserProfile) {
        users = [user.id: user]
        creditScores = [:]
        friendship = nil
    }

    init(_ test: RuleTestCase) {
        var users = [test.user.id: test.user]
        var scores: [UserID: Int] = [:]
        if let score = test.userCreditScore { scores[test.user.id] = score }
        if let author = test.author {
            users[author.id] = author
            if let score = test.authorCreditScore { scores[author.id] = score }
        }
        self.users = users
        creditScores = scores
        let authorID = test.context.post?.authorID ?? test.author?.id
        friendship = test.friends ? Set([test.user.id, authorID ?? RuleTestSchema.defaultAuthorID]) : nil
    }

    func user(_ id: UserID) -> UserProfile? { users[id] }
    func creditScore(_ id: UserID) -> Int? { creditScores[id] }
    func creditExplanation(_ id: UserID) -> ScriptValue? {
        creditScores[id].map { .record([.init("score", .integer(Int64($0)))]) }
    }
    func areFriends(_ first: UserID, _ second: UserID) -> Bool {
        guard let friendship, first != second else { return false }
        return friendship.contains(first) && friendship.contains(second)
    }
    func affinity(from viewer: UserID, to author: UserID) -> Double { areFriends(viewer, author) ? 1 : 0 }
    func balanceFen(_ id: UserID) -> Int64? { users[id] == nil ? nil : 0 }
}
