/// Named limits for scripts (TigerBeetle style: every bound has a name and a reason).
public struct ScriptLimits: Sendable, Hashable {
    /// VM instructions one call may run (charged C library work included).
    public var instructionLimit: Int64
    /// Bytes one Lua state may hold while a script runs.
    public var memoryLimitBytes: Int
    /// Wall-clock bound per call, for C work the instruction count cannot see.
    public var timeoutMs: Int64

    public init(instructionLimit: Int64 = 10_000_000, memoryLimitBytes: Int = 64 << 20, timeoutMs: Int64 = 1_000) {
        self.instructionLimit = instructionLimit
        self.memoryLimitBytes = memoryLimitBytes
        self.timeoutMs = timeoutMs
    }

    /// 10 million instructions (~50–100 ms of Lua), 64 MiB, 1 s.
    public static let `default` = ScriptLimits()
}
