import CLuaShim
import Core

/// Runs ad-hoc Lua (`quanzi eval`, later the REPL) in the same sandbox and with the same bindings
/// as plugins. Each chunk gets a fresh environment.
public final class ScriptConsole {
    /// What a chunk returned and what it printed.
    public struct Result: Sendable {
        public var values: [LuaValue]
        public var output: String
        public var outputTruncated: Bool
    }

    private var state: LuaState
    private let limits: ScriptLimits
    private let dataSource: any ScriptDataSource
    private let clock: any Clock
    /// A REPL session keeps one environment, so `x = 1` is still there on the next line.
    private let keepsGlobals: Bool
    private var sessionEnv: Int32?
    /// Globals the host set (e.g. `user` after `:as`), restored when a limit forces a new state.
    private var hostGlobals: [(String, ScriptValue)] = []

    public init(
        dataSource: any ScriptDataSource = EmptyDataSource(), clock: any Clock = SystemClock(), limits: ScriptLimits = .default,
        keepsGlobals: Bool = false
    ) throws(QuanziError) {
        self.limits = limits
        self.dataSource = dataSource
        self.clock = clock
        self.keepsGlobals = keepsGlobals
        do throws(ScriptError) {
            state = try LuaState(limits: limits, dataSource: dataSource, clock: clock)
        } catch {
            throw error.quanziError
        }
    }

    /// Sets a global of the session (`:as 42` sets `user`).
    public func setGlobal(_ name: String, _ value: ScriptValue) {
        hostGlobals.removeAll { $0.0 == name }
        hostGlobals.append((name, value))
        guard let env = sessionEnvironment() else { return }
        state.pushReference(env)
        state.push(value)
        _ = qz_set_field(state.L, -2, name)
        qz_pop(state.L, 1)
        state.arena.reset()
    }

    private func sessionEnvironment() -> Int32? {
        guard keepsGlobals else { return nil }
        if let sessionEnv { return sessionEnv }
        qz_new_env(state.L)
        let reference = state.popReference()
        sessionEnv = reference
        return reference
    }

    /// True when `code` is an unfinished chunk (an open `function`, `do`, string…): the REPL
    /// then reads another line.
    public func isIncomplete(_ code: String) -> Bool {
        let base = qz_gettop(state.L)
        defer { qz_settop(state.L, base) }
        do throws(ScriptError) {
            try state.loadChunk("return " + code, chunkName: "=check")
            return false
        } catch {}
        do throws(ScriptError) {
            try state.loadChunk(code, chunkName: "=check")
            return false
        } catch {
            return error.message.hasSuffix("<eof>")
        }
    }

    func callInState(_ function: LuaFunction, arguments: [ScriptValue]) throws(ScriptError) -> [LuaValue] {
        if state.isPoisoned {
            throw ScriptError(kind: .runtime, message: "the Lua state was reset after a limit; run the script again", location: function.location?.description)
        }
        let state = self.state
        return try state.call(
            push: {
                state.pushReference(function.reference)
                for argument in arguments { state.push(argument) }
                return Int32(arguments.count)
            },
            read: { count in (0..<count).map { state.readValue(at: -count + $0) } })
    }

    /// Runs `code`. An expression is returned as if written `return <expression>`.
    public func run(_ code: String, chunkName: String = "=eval") throws(ScriptError) -> Result {
        if state.isPoisoned {
            state = try LuaState(limits: limits, dataSource: dataSource, clock: clock)
            sessionEnv = nil
            for (name, value) in hostGlobals { setGlobal(name, value) }
        }
        let base = qz_gettop(state.L)
        defer { qz_settop(state.L, base) }
        if let env = sessionEnvironment() {
            state.pushReference(env)
            do throws(ScriptError) {
                try state.loadChunk("return " + code, chunkName: chunkName, environment: -1)
            } catch {
                try state.loadChunk(code, chunkName: chunkName, environment: -1)
            }
        } else {
            do throws(ScriptError) {
                try state.loadChunk("return " + code, chunkName: chunkName)
            } catch {
                try state.loadChunk(code, chunkName: chunkName)
            }
        }
        let state = self.state
        let values = try state.call(
            push: { qz_pushvalue(state.L, -1); return 0 },
            read: { count in (0..<count).map { state.readValue(at: -count + $0) } })
        let output = state.takeOutput()
        return Result(values: values, output: output.text, outputTruncated: output.truncated)
    }
}

extension ScriptConsole {
    /// Calls a function a previous `run` returned (a `.function` value of this console) with
    /// host values, under the same limits: how a behaviour model written in Lua is driven.
    public func call(_ function: LuaFunction, arguments: [ScriptValue]) throws(ScriptError) -> [LuaValue] {
        try callInState(function, arguments: arguments)
    }
}
