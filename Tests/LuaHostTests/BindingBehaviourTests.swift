import Core
import Social
import Testing

@testable import LuaHost

/// What scripts see of the `quanzi.*` bindings, pinned so that how they are registered may change
/// while what they do does not.
@Suite("bindings: what scripts see")
struct BindingBehaviourTests {
    @Test("a bad argument names the binding and what it expects, at the caller's file:line", arguments: [
        ("quanzi.user('x')", "eval:1: quanzi.user expects a user id"),
        ("quanzi.credit.score()", "eval:1: quanzi.credit.score expects a user or user id"),
        ("quanzi.credit.explain({})", "eval:1: quanzi.credit.explain expects a user or user id"),
        ("quanzi.social.are_friends(1)", "eval:1: quanzi.social.are_friends expects two users or user ids"),
        ("quanzi.social.affinity(1, 2.5)", "eval:1: quanzi.social.affinity expects two users or user ids"),
        ("quanzi.wallet.balance('1')", "eval:1: quanzi.wallet.balance expects a user or user id"),
        ("quanzi.ab.variant(1)", "eval:1: quanzi.ab.variant expects (user, experiment_id)"),
        ("quanzi.ab.param(1, 'e')", "eval:1: quanzi.ab.param expects (user, experiment_id, key, default)"),
    ])
    func badArguments(code: String, message: String) throws {
        let error = try #require(try scriptError("local a = 1\n" + code, console: ScriptConsole()))
        #expect(error.description == message.replacingOccurrences(of: "eval:1", with: "eval:2"))
    }

    @Test("a missing answer is an error for credit and wallet, nil for a user")
    func missingAnswers() throws {
        #expect(try values("return quanzi.user(9)") == [.null])
        #expect(try scriptError("return quanzi.credit.explain(9)")?.description == "eval:1: no credit score for user 9")
        #expect(try scriptError("return quanzi.wallet.balance(9)")?.description == "eval:1: no wallet for user 9")
        #expect(try values("return quanzi.social.affinity(1, 2), quanzi.ab.variant(1, 'e')") == [.number(0), .null])
    }

    @Test("the quanzi table and its namespaces are read-only", arguments: [
        "quanzi.user = nil", "quanzi.credit.score = nil", "quanzi.ab.extra = 1", "rawset(quanzi.social, 'x', 1)",
    ])
    func readOnly(code: String) throws {
        let error = try #require(try scriptError(code))
        #expect(error.message.contains("read-only"))
    }

    @Test("each namespace lists exactly its functions")
    func namespaces() throws {
        let code = """
            local names = {}
            for name, value in pairs(quanzi) do
              if type(value) == "function" then names[#names + 1] = name
              else for inner in pairs(value) do names[#names + 1] = name .. "." .. inner end end
            end
            table.sort(names)
            return table.concat(names, " ")
            """
        let expected = "ab.param ab.variant circle credit.explain credit.score experiment log metrics now social.affinity "
            + "social.are_friends social.blocked user wallet.balance"
        #expect(try values(code) == [.string(expected)])
    }

    @Test("quanzi.log writes like print, a user proxy stands for its id, and quanzi.now reads the clock")
    func logProxiesNow() throws {
        let console = try ScriptConsole(
            dataSource: CreditOnlyDataSource(scores: [UserID(5): 812]), clock: ManualClock(epochSeconds: 1_700_000_000),
            keepsGlobals: true)
        let result = try console.run("quanzi.log('a', 1) return quanzi.now()")
        #expect(result.output == "a\t1\n")
        #expect(result.values == [.integer(1_700_000_000)])
        console.setGlobal("u", UserRecord.make(UserProfile(id: UserID(5)), nowEpochSeconds: 0))
        #expect(try console.run("return quanzi.credit.score(u)").values == [.integer(812)])
    }
}
