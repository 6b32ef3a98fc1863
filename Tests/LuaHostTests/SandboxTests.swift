import Core
import Testing

@testable import LuaHost

/// Runs `code` in a fresh console and returns the error it raised.
func scriptError(_ code: String, limits: ScriptLimits = .default, console: ScriptConsole? = nil) throws -> ScriptError? {
    let console = try console ?? ScriptConsole(limits: limits)
    do {
        _ = try console.run(code)
        return nil
    } catch {
        return error
    }
}

func values(_ code: String, console: ScriptConsole? = nil) throws -> [LuaValue] {
    try (console ?? ScriptConsole()).run(code).values
}

@Suite("sandbox: what scripts cannot reach")
struct SandboxLibraryTests {
    @Test("forbidden libraries and functions are absent", arguments: [
        "io", "debug", "package", "require", "dofile", "loadfile", "os.execute", "os.getenv", "os.remove",
        "os.exit", "string.dump", "os.rename", "os.tmpname", "math.randomseed",
    ])
    func forbiddenAbsent(name: String) throws {
        #expect(try values("return \(name) == nil") == [.boolean(true)])
    }

    @Test("safe libraries are present", arguments: [
        "string.format", "string.find", "table.concat", "math.floor", "utf8.len", "coroutine.wrap", "os.time",
        "os.clock", "pcall", "xpcall", "setmetatable", "tostring", "quanzi.user", "quanzi.credit.score",
    ])
    func safePresent(name: String) throws {
        #expect(try values("return type(\(name))") == [.string("function")])
    }

    @Test("collectgarbage only counts")
    func collectGarbage() throws {
        #expect(try values("return collectgarbage('count') > 0") == [.boolean(true)])
        let error = try #require(try scriptError("collectgarbage('stop')"))
        #expect(error.message.contains("not allowed"))
    }

    @Test("load refuses binary chunks and defaults to the sandbox environment")
    func loadIsSafe() throws {
        #expect(try values("return load('return io')()") == [.null])
        let error = try #require(try scriptError("return load('\\27Lua', 'x', 'b')"))
        #expect(error.message.contains("binary chunks are not allowed"))
        #expect(try values("local f, e = load('\\27LuaT') return f == nil, type(e)") == [.boolean(true), .string("string")])
    }

    @Test("the string metatable cannot be reached or changed")
    func stringMetatable() throws {
        #expect(try values("return getmetatable('')") == [.boolean(false)])
        let error = try #require(try scriptError("string.upper = function() return 'pwned' end"))
        #expect(error.message.contains("read-only"))
        #expect(try values("return ('abc'):upper()") == [.string("ABC")])
        #expect(try scriptError("rawset(string, 'upper', print)")?.message.contains("read-only") == true)
    }

    @Test("setmetatable refuses __gc, whose finalizers would run with no budget")
    func noGC() throws {
        let error = try #require(try scriptError("setmetatable({}, {__gc = function() while true do end end})"))
        #expect(error.message.contains("__gc"))
    }

    @Test("globals set by one chunk do not leak into the next")
    func noLeakBetweenChunks() throws {
        let console = try ScriptConsole()
        _ = try console.run("leaked = 42", chunkName: "=one")
        #expect(try console.run("return leaked").values == [.null])
    }
}
