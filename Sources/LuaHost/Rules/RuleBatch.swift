import CLuaShim
import Core
import Social

/// Who asks a rule, about what: one subject of a batch (`RuleEngine.evaluate(circle:action:subjects:)`).
public struct RuleSubject: Sendable, Hashable {
    public var user: UserProfile
    public var context: RuleContext

    public init(user: UserProfile, context: RuleContext = RuleContext()) {
        self.user = user
        self.context = context
    }
}

/// A batch's answers: one decision per subject, in order, each what a single call would have
/// decided, up to the first subject whose rule failed.
public struct RuleDecisions: Sendable, Hashable {
    /// The decisions of the subjects before `failure`'s (all of them when there is none).
    public var decisions: [Decision]
    /// What a single call for the subject at `decisions.count` would have thrown; the subjects
    /// after it were not asked (their rule never ran).
    public var failure: QuanziError?

    public init(decisions: [Decision], failure: QuanziError?) {
        self.decisions = decisions
        self.failure = failure
    }

    /// Every decision, or the failure: as a loop of single calls that stops at the first throw.
    public func get() throws(QuanziError) -> [Decision] {
        if let failure { throw failure }
        return decisions
    }
}

extension RuleEngine {
    /// Runs `circle`'s rule for `action` once per subject, in one entry into Lua: the same limits
    /// per decision, the same decisions, reasons and locations, the same errors as a single call
    /// for each subject in turn (see `RuleDecisions`).
    public func evaluate(circle: CircleID, action: CircleAction, subjects: [RuleSubject], dataSource: (any ScriptDataSource)? = nil)
        -> RuleDecisions
    {
        guard !subjects.isEmpty else { return RuleDecisions(decisions: [], failure: nil) }
        do throws(QuanziError) {
            return try withSession { session in session.evaluate(circle: circle, action: action, subjects: subjects, dataSource: dataSource) }
        } catch {
            return RuleDecisions(decisions: [], failure: error)
        }
    }

    func evaluate(
        on pooled: PooledState, circle: CircleID, action: CircleAction, count: Int, user: (Int) -> UserProfile, sameUser: Bool,
        context: (Int) -> RuleContext, dataSource: (any ScriptDataSource)?
    ) -> RuleDecisions {
        guard count > 0 else { return RuleDecisions(decisions: [], failure: nil) }
        guard let handles = pooled.circles[circle] else {
            return RuleDecisions(decisions: [], failure: QuanziError(.circleNotFound, "no circle '\(circle)'"))
        }
        guard let rule = handles.rules[action] else {
            let missing = Decision(
                allowed: false, reason: "circle '\(circle)' has no '\(action.rawValue)' rule", location: plugins.circle(circle)?.location)
            return RuleDecisions(decisions: Array(repeating: missing, count: count), failure: nil)
        }
        let state = pooled.state
        state.dataSource = dataSource ?? self.dataSource
        state.servingCircle = circle
        defer { state.servingCircle = nil }
        // When every subject shares the user (a feed page's viewer), the user and the circle are
        // pushed once per chunk as every call's leading arguments; otherwise each call gets its own.
        let (answers, failure) = state.callBatch(
            count: count, sharedArguments: sameUser ? 2 : 0, argumentsPerCall: (action == .tip ? 4 : 3) - (sameUser ? 2 : 0),
            readReasons: true, sharedUser: sameUser ? user(0).id : nil,
            pushFunction: { state.pushReference(rule.reference) },
            pushSharedArguments: {
                guard sameUser else { return }
                state.pushUser(user(0))
                state.pushReference(handles.proxyReference)
            },
            pushArguments: { index in
                if !sameUser {
                    state.pushUser(user(index))
                    state.pushReference(handles.proxyReference)
                }
                let subject = context(index)
                if action == .tip { state.push(subject.amountFen.map(ScriptValue.integer) ?? .null) }
                state.pushPost(subject.post)
            },
            invalid: {
                do throws(ScriptError) {
                    _ = try Self.decision(state, resultCount: 2, action: action, rule: rule)
                    return ScriptError(kind: .invalidResult, message: "rule '\(action.rawValue)' returned results of the wrong shape",
                                       location: rule.location?.description)
                } catch {
                    return error
                }
            })
        let decisions = answers.map { Decision(allowed: $0.allowed, reason: $0.reason, location: rule.location) }
        return RuleDecisions(decisions: decisions, failure: failure?.quanziError)
    }
}

extension RuleSession {
    /// Runs `circle`'s rule for `action` once per subject on this session's state, in one entry
    /// into Lua (see `RuleEngine.evaluate(circle:action:subjects:)`).
    public func evaluate(circle: CircleID, action: CircleAction, subjects: [RuleSubject], dataSource: (any ScriptDataSource)?) -> RuleDecisions {
        guard !subjects.isEmpty else { return RuleDecisions(decisions: [], failure: nil) }
        if let poisoned = poisonedFailure { return RuleDecisions(decisions: [], failure: poisoned) }
        return engine.evaluate(
            on: pooled, circle: circle, action: action, count: subjects.count, user: { subjects[$0].user }, sameUser: false,
            context: { subjects[$0].context }, dataSource: dataSource)
    }

    /// One user's rule for `action` about each of `contexts` (a feed page's view checks), in one
    /// entry into Lua: the same as `evaluate(circle:action:subjects:dataSource:)` with that user in
    /// every subject, the user's proxy pushed once.
    public func evaluate(circle: CircleID, action: CircleAction, user: UserProfile, contexts: [RuleContext], dataSource: (any ScriptDataSource)?)
        -> RuleDecisions
    {
        guard !contexts.isEmpty else { return RuleDecisions(decisions: [], failure: nil) }
        if let poisoned = poisonedFailure { return RuleDecisions(decisions: [], failure: poisoned) }
        return engine.evaluate(
            on: pooled, circle: circle, action: action, count: contexts.count, user: { _ in user }, sameUser: true,
            context: { contexts[$0] }, dataSource: dataSource)
    }
}
