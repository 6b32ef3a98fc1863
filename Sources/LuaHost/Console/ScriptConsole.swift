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

    public init(dataSource: any ScriptDataSource = EmptyDataSource(), clock: any Clock = SystemClock(), limits: ScriptLimits = .default) throws(QuanziError) {
        self.limits = limits
        self.dataSource = dataSource
        self.clock = clock
        do throws(ScriptError) {
            state = try LuaState(limits: limits, dataSource: dataSource, clock: clock)
        } catch {
            throw error.quanziError
        }
    }

    /// Runs `code`. An expression is returned as if written `return <expression>`.
    public func run(_ code: String, chunkName: String = "=eval") throws(ScriptError) -> Result {
        if state.isPoisoned { state = try LuaState(limits: limits, dataSource: dataSource, clock: clock) }
        let base = qz_gettop(state.L)
        defer { qz_settop(state.L, base) }
        do throws(ScriptError) {
            try state.loadChunk("return " + code, chunkName: chunkName)
        } catch {
            try state.loadChunk(code, chunkName: chunkName)
        }
        let state = self.state
        let values = try state.call(
            push: { qz_pushvalue(state.L, -1); return 0 },
            read: { count in (0..<count).map { state.readValue(at: -count + $0) } })
        let output = state.takeOutput()
        return Result(values: values, output: output.text, outputTruncated: output.truncated)
    }
}
