import CLuaShim
import Core
import Social

/// Answers "may this user do this in this circle, and why not?" by running the circle's Lua rule
/// in a pooled, sandboxed state. Safe to call from many threads at once.
public final class RuleEngine: Sendable {
    public let plugins: PluginSet
    public let limits: ScriptLimits
    let dataSource: any ScriptDataSource
    private let pool: StatePool

    /// Builds the engine over an already validated plugin set (see `PluginSet.load`).
    public init(plugins: PluginSet, dataSource: any ScriptDataSource, clock: any Clock = SystemClock(), limits: ScriptLimits = .default) {
        self.plugins = plugins
        self.limits = limits
        self.dataSource = dataSource
        let sources = plugins.sources
        pool = StatePool { () throws(QuanziError) -> PooledState in
            let state: LuaState
            do throws(ScriptError) {
                state = try LuaState(limits: limits, dataSource: dataSource, clock: clock)
            } catch {
                throw error.quanziError
            }
            let (circles, problems) = state.loadPlugins(sources)
            if !problems.isEmpty {
                // The set loaded cleanly once; a plugin whose top level is not deterministic can
                // still fail here, and then no rule of it may run.
                throw QuanziError(.invalidPlugin, problems.map(\.description).joined(separator: "\n"))
            }
            return PooledState(state: state, circles: state.makeCircleHandles(circles))
        }
    }

    /// Loads the plugins into a first pooled state now rather than on the first request.
    public func prewarm() throws(QuanziError) {
        try pool.withState { _ throws(QuanziError) in }
    }

    /// Runs `circle`'s rule for `action`. A missing rule denies; a failing rule throws (and
    /// so denies: callers fail closed).
    public func evaluate(circle: CircleID, action: CircleAction, user: UserProfile, context: RuleContext = RuleContext()) throws(QuanziError) -> Decision {
        try evaluate(circle: circle, action: action, user: user, context: context, dataSource: nil, around: nil)
    }

    /// The same, with the bindings reading `dataSource` for this call (a request's memo).
    public func evaluate(circle: CircleID, action: CircleAction, user: UserProfile, context: RuleContext, dataSource: any ScriptDataSource)
        throws(QuanziError) -> Decision
    {
        try evaluate(circle: circle, action: action, user: user, context: context, dataSource: dataSource, around: nil)
    }

    enum CallPhase { case before, after }

    /// `dataSource` overrides the engine's for this call (plugin tests); `around` runs on the
    /// state just before and after the rule (tracing for `explain`).
    func evaluate(
        circle: CircleID, action: CircleAction, user: UserProfile, context: RuleContext, dataSource: (any ScriptDataSource)?,
        around: ((LuaState, CallPhase) -> Void)? = nil
    ) throws(QuanziError) -> Decision {
        try pool.withState { pooled throws(QuanziError) -> Decision in
            try evaluate(on: pooled, circle: circle, action: action, user: user, context: context, dataSource: dataSource, around: around)
        }
    }

    /// Runs `body` with one pooled state for several rule calls: a feed page checks the view
    /// rule on every post it shows, and taking a state from the pool per post made the pool's
    /// lock the busiest in the server once feeds ran in parallel.
    public func withSession<T>(_ body: (RuleSession) throws(QuanziError) -> T) throws(QuanziError) -> T {
        try pool.withState { pooled throws(QuanziError) -> T in try body(RuleSession(engine: self, pooled: pooled)) }
    }

    func evaluate(
        on pooled: PooledState, circle: CircleID, action: CircleAction, user: UserProfile, context: RuleContext,
        dataSource: (any ScriptDataSource)?, around: ((LuaState, CallPhase) -> Void)? = nil
    ) throws(QuanziError) -> Decision {
        guard let handles = pooled.circles[circle] else { throw QuanziError(.circleNotFound, "no circle '\(circle)'") }
        guard let rule = handles.rules[action] else {
            return Decision(allowed: false, reason: "circle '\(circle)' has no '\(action.rawValue)' rule", location: plugins.circle(circle)?.location)
        }
        let state = pooled.state
        state.dataSource = dataSource ?? self.dataSource
        state.servingCircle = circle
        around?(state, .before)
        defer {
            around?(state, .after)
            state.servingCircle = nil
        }
        do throws(ScriptError) {
            return try state.call(
                push: {
                    state.pushReference(rule.reference)
                    state.pushUser(user)
                    state.pushReference(handles.proxyReference)
                    if action == .tip {
                        state.push(context.amountFen.map(ScriptValue.integer) ?? .null)
                        state.pushPost(context.post)
                        return 4
                    }
                    state.pushPost(context.post)
                    return 3
                },
                read: { count throws(ScriptError) -> Decision in
                    try Self.decision(state, resultCount: count, action: action, rule: rule)
                })
        } catch {
            throw error.quanziError
        }
    }

    static func decision(_ state: LuaState, resultCount: Int32, action: CircleAction, rule: LuaFunction) throws(ScriptError) -> Decision {
        let location = rule.location
        let first = resultCount >= 1 ? state.readValue(at: -resultCount) : .null
        // A post rule may accept a post for a moderator's review: `return "review", "why"`.
        if action == .post, case .string("review") = first {
            var reason = "the circle's rule asked for a review"
            if resultCount >= 2, case .string(let text) = state.readValue(at: -resultCount + 1), !text.isEmpty { reason = text }
            return Decision(allowed: true, reason: reason, location: location, heldForReview: true)
        }
        guard case .boolean(let allowed) = first else {
            let also = action == .post ? ", or \"review\"" : ""
            throw ScriptError(kind: .invalidResult,
                message: "rule '\(action.rawValue)' must return true or false\(also) (and optionally a reason), got \(first.typeName)",
                location: location?.description)
        }
        var reason: String?
        // A reason matters only for a denial; an allowed call skips reading it.
        if !allowed && resultCount >= 2 {
            switch state.readValue(at: -resultCount + 1) {
            case .string(let text): reason = text
            case .null: reason = nil
            case let other:
                throw ScriptError(kind: .invalidResult,
                    message: "rule '\(action.rawValue)' must give its reason as a string, got \(other.typeName)",
                    location: location?.description)
            }
        }
        return Decision(allowed: allowed, reason: reason, location: location)
    }
}

/// One pooled Lua state for several rule calls within a request (see `RuleEngine.withSession`).
/// Valid only inside the closure that received it.
public struct RuleSession {
    let engine: RuleEngine
    let pooled: PooledState

    /// A limit poisons the state; its earlier error already failed the caller.
    var poisonedFailure: QuanziError? {
        pooled.state.isPoisoned ? QuanziError(.scriptError, "this rule session's Lua state stopped at a limit") : nil
    }

    public func evaluate(circle: CircleID, action: CircleAction, user: UserProfile, context: RuleContext, dataSource: any ScriptDataSource)
        throws(QuanziError) -> Decision
    {
        if let poisoned = poisonedFailure { throw poisoned }
        return try engine.evaluate(on: pooled, circle: circle, action: action, user: user, context: context, dataSource: dataSource)
    }
}
