import CLuaShim
import Core

extension ScriptBinding {
    /// Every `quanzi.*` binding. To add one, add an entry here (and, if it needs data the
    /// scripts cannot read yet, a `ScriptDataSource` method); `make docs` then updates README.md.
    /// Bindings are read-only: money moves only through the core.
    public static let all: [ScriptBinding] = [
        ScriptBinding("user", ["id"], "the user's read-only record (the fields above), or nil when there is none") { call in
            guard let id = call.user(1) else { return call.expects("a user id") }
            return call.state.userAnswer(id)
        },
        ScriptBinding("now", [], "the host clock, in epoch seconds") { call in
            .values([.integer(call.clock.nowEpochSeconds)])
        },
        // C's print: it formats with luaL_tolstring and appends to the per-call output buffer, both in C.
        ScriptBinding("log", ["..."], "writes its arguments as `print` does, to the call's bounded output", native: QZ_NATIVE_PRINT),
        ScriptBinding("credit.score", ["user"], "the 350–950 credit score (an error for a user without one)", batchMemoArguments: 1) { call in
            guard let id = call.user(1) else { return call.expects("a user or user id") }
            guard let score = call.source.creditScore(id) else { return .error("no credit score for user \(id)") }
            return .values([.integer(Int64(score))])
        },
        ScriptBinding("credit.explain", ["user"], "the score with its dimensions and reasons, as a record") { call in
            guard let id = call.user(1) else { return call.expects("a user or user id") }
            guard let explanation = call.source.creditExplanation(id) else { return .error("no credit score for user \(id)") }
            return .values([explanation])
        },
        ScriptBinding("social.are_friends", ["user", "other"], "whether the two users are friends", batchMemoArguments: 2) { call in
            guard let first = call.user(1), let second = call.user(2) else { return call.expects("two users or user ids") }
            return .values([.boolean(call.source.areFriends(first, second))])
        },
        ScriptBinding("social.blocked", ["user", "other"], "whether either user blocked the other (the core already refuses their actions on each other's posts)", batchMemoArguments: 2) { call in
            guard let first = call.user(1), let second = call.user(2) else { return call.expects("two users or user ids") }
            return .values([.boolean(call.source.isBlocked(first, second))])
        },
        ScriptBinding("social.affinity", ["viewer", "author"], "how much the viewer interacts with the author, in [0, 1], decayed over time") { call in
            guard let viewer = call.user(1), let author = call.user(2) else { return call.expects("two users or user ids") }
            return .values([.number(call.source.affinity(from: viewer, to: author))])
        },
        ScriptBinding("wallet.balance", ["user"], "the wallet's balance in fen (an error for a user without a wallet)") { call in
            guard let id = call.user(1) else { return call.expects("a user or user id") }
            guard let balance = call.source.balanceFen(id) else { return .error("no wallet for user \(id)") }
            return .values([.integer(balance)])
        },
        ScriptBinding(
            "ab.variant", ["user", "experiment_id"], "the user's variant in a running experiment, or nil outside it (logs an exposure once per user)",
            batchMemoArguments: 2
        ) { call in
            guard let user = call.user(1), let experiment = call.string(2) else { return call.expects("(user, experiment_id)") }
            return call.answering { () throws(QuanziError) in
                .values([try call.source.experimentVariant(user: user, experiment: experiment, circle: call.state.servingCircle)
                    .map(ScriptValue.string) ?? .null])
            }
        },
        ScriptBinding(
            "ab.param", ["user", "experiment_id", "key", "default"],
            "the user's variant's parameter `key`, or `default` outside the experiment or when the variant does not set it (logs an exposure once per user)",
            batchMemoArguments: 3
        ) { call in
            guard let user = call.user(1), let experiment = call.string(2), let key = call.string(3) else {
                return call.expects("(user, experiment_id, key, default)")
            }
            return call.answering { () throws(QuanziError) in
                let circle = call.state.servingCircle
                guard let value = try call.source.experimentParameter(user: user, experiment: experiment, key: key, circle: circle) else {
                    return .argument(4)
                }
                return .values([value])
            }
        },
    ]
}
