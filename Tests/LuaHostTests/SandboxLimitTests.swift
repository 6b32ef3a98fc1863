import Core
import Testing

@testable import LuaHost

@Suite("sandbox: limits stop hostile scripts and the host keeps working")
struct SandboxLimitTests {
    /// The default budgets with a generous deadline: these tests are about instructions and
    /// memory, and a loaded CI machine must not turn them into time limits.
    static let unhurried = ScriptLimits(instructionLimit: ScriptLimits.default.instructionLimit,
                                        memoryLimitBytes: ScriptLimits.default.memoryLimitBytes, timeoutMs: 60_000)

    static let instructionBombs = [
        "while true do end",
        "::again:: goto again",
        "local i = 0 repeat i = i + 1 until false",
        "return string.find(string.rep('a', 100000), '.-.-.-.-b')",
        "return ('a'):rep(50000):match('(a*)*b')",
        "return string.gsub(string.rep('x', 60000), '.-.-.-y', '')",
        "local s = string.rep('x', 8 * 2^20) for i = 1, 1e6 do s:upper() end",
        "return table.concat(setmetatable({}, {__index = function() return 'x' end}), '', 1, 1e12)",
        "local ok = pcall(function() while true do end end) while true do end",
        "while true do pcall(function() while true do end end) end",
        "return xpcall(function() while true do end end, function() while true do end end)",
        "local co = coroutine.wrap(function() while true do end end) return pcall(co)",
        "for i = 1, 100 do coroutine.resume(coroutine.create(function() while true do end end)) end",
        "table.sort({3, 2, 1}, function(a, b) while true do end end)",
        "return tostring(setmetatable({}, {__tostring = function() while true do end end}))",
        "local f = load(function() while true do end end)",
    ]

    @Test("instruction bombs stop with 'instruction limit exceeded'", arguments: instructionBombs)
    func instructionLimit(code: String) throws {
        let console = try ScriptConsole(limits: Self.unhurried)
        let error = try #require(try scriptError(code, console: console))
        #expect(error.kind == .instructionLimit)
        #expect(error.message == "instruction limit exceeded")
        #expect(error.location == "eval:1")
        #expect(try console.run("return 1 + 1").values == [.integer(2)], "the console works after the limit")
    }

    static let memoryBombs = [
        "return string.rep('x', 1e9)",
        "return string.rep('x', 2^40, ',')",
        "local t = {} for i = 1, 1e9 do t[i] = i end",
        "local s = 'x' while true do s = s .. s end",
        "local t = {} while true do t[#t + 1] = string.rep('y', 1000) .. #t end",
        "local ok, e = pcall(string.rep, 'x', 1e9) return ok, e",
        "local ok = pcall(function() local s = 'x' while true do s = s .. s end end) return ok",
        "return coroutine.resume(coroutine.create(function() local s = 'x' while true do s = s .. s end end))",
    ]

    @Test("memory bombs stop with 'memory limit exceeded'", arguments: memoryBombs)
    func memoryLimit(code: String) throws {
        let console = try ScriptConsole(limits: Self.unhurried)
        let error = try #require(try scriptError(code, console: console))
        #expect(error.kind == .memoryLimit)
        #expect(error.message == "memory limit exceeded")
        #expect(try console.run("return #string.rep('z', 1000)").values == [.integer(1000)])
    }

    @Test("deep recursion and nested C calls are ordinary errors")
    func recursion() throws {
        let deep = try #require(try scriptError("local function f(n) return f(n + 1) + 1 end return f(1)", limits: Self.unhurried))
        #expect(deep.kind == .memoryLimit || deep.message.contains("stack overflow"))
        let nested = try #require(try scriptError("local t = setmetatable({}, {__index = function(t, k) return t[k + 1] end}) return t[1]"))
        #expect(nested.message.contains("stack overflow"))
        let pcalls = try #require(try scriptError("local function f() return pcall(f) end local ok, e = f() error(e)"))
        #expect(pcalls.kind == .runtime)
    }

    @Test("a wall-clock deadline stops what the instruction count cannot see")
    func deadline() throws {
        let limits = ScriptLimits(instructionLimit: Int64.max / 4, memoryLimitBytes: 64 << 20, timeoutMs: 50)
        let error = try #require(try scriptError("while true do end", limits: limits))
        #expect(error.kind == .timeLimit)
    }

    @Test("the budget is configurable")
    func configurableBudget() throws {
        let small = ScriptLimits(instructionLimit: 10_000, memoryLimitBytes: 64 << 20, timeoutMs: 1000)
        #expect(try scriptError("for i = 1, 100000 do end", limits: small)?.kind == .instructionLimit)
        #expect(try scriptError("for i = 1, 100 do end", limits: small) == nil)
        let tight = ScriptLimits(instructionLimit: 10_000_000, memoryLimitBytes: 1 << 20, timeoutMs: 1000)
        #expect(try scriptError("return string.rep('x', 2 * 2^20)", limits: tight)?.kind == .memoryLimit)
    }

    @Test("errors carry file:line")
    func errorLocations() throws {
        let console = try ScriptConsole(limits: Self.unhurried)
        let runtime = try #require(try scriptError("local x = nil\nreturn x.field", console: console))
        #expect(runtime.location == "eval:2")
        #expect(runtime.message.contains("attempt to index"))
        let thrown = try #require(try scriptError("\n\nerror('boom')", console: console))
        #expect(thrown.description == "eval:3: boom")
        let syntax = try #require(try scriptError("local = 1", console: console))
        #expect(syntax.kind == .syntax)
        #expect(syntax.location == "eval:1")
        let limit = try #require(try scriptError("local a = 1\nwhile true do\n a = a + 1\nend", console: console))
        #expect(limit.location?.hasPrefix("eval:") == true)
        let table = try #require(try scriptError("error(setmetatable({}, {__tostring = function() while true do end end}))", console: console))
        #expect(table.message == "error object is a table value", "error objects are described without running their metamethods")
    }

    @Test("to-be-closed variables cannot hang the host after an error")
    func toBeClosed() throws {
        let error = try #require(try scriptError("local x <close> = setmetatable({}, {__close = function() while true do end end}) error('e')"))
        #expect(error.message == "e")
    }
}
