import CLuaShim
import Core
import Social

/// One sandboxed Lua state and its limits. Every call into Lua goes through `qz_call` (a C
/// trampoline around a protected resume), so a Lua error never unwinds through Swift frames.
///
/// Not thread-safe: a state is used by one thread at a time, which the pool guarantees.
final class LuaState: @unchecked Sendable {
    let L: OpaquePointer
    private let runtime: UnsafeMutablePointer<qz_runtime>
    let limits: ScriptLimits
    /// Answers `quanzi.*` bindings during the current call.
    var dataSource: any ScriptDataSource
    /// The circle whose rule the current call runs (nil outside a rule): an exposure a rule makes
    /// through `quanzi.ab.*` records that circle's plugin version.
    var servingCircle: CircleID?
    let clock: any Clock
    let arena = ValueArena()
    /// Set after a host limit stopped a script: the pool closes such a state instead of reusing it.
    private(set) var isPoisoned = false
    var userProxyCache = ProxyCache<UserID, UserStamp>(entriesMax: 4_096)
    var postProxyCache = ProxyCache<Int64, PostContext>(entriesMax: 4_096, costBytesMax: 4 << 20)
    /// Users `quanzi.user` answered without a cached proxy during the current call; cached
    /// after it (see `userAnswer`).
    var usersToCache: [UserProfile] = []

    init(limits: ScriptLimits, dataSource: any ScriptDataSource, clock: any Clock) throws(ScriptError) {
        self.limits = limits
        self.dataSource = dataSource
        self.clock = clock
        runtime = .allocate(capacity: 1)
        runtime.initialize(to: qz_runtime())
        runtime.pointee.memory_limit_bytes = limits.memoryLimitBytes
        runtime.pointee.binding_specs = BindingSpecs.all.specs
        runtime.pointee.binding_count = BindingSpecs.all.count
        guard let state = qz_state_new(runtime) else {
            runtime.deallocate()
            throw ScriptError(kind: .runtime, message: "could not create a Lua state", location: nil)
        }
        L = state
        runtime.pointee.binding_context = Unmanaged.passUnretained(self).toOpaque()
        runtime.pointee.binding = bindingTrampoline
    }

    deinit {
        qz_state_close(L)
        runtime.deallocate()
        arena.reset()
    }

    var memoryUsedBytes: Int { runtime.pointee.memory_used_bytes }

    /// Whether the current call records what it reads (`qz_trace_begin`, for `explain`).
    var isTracing: Bool { runtime.pointee.tracing != 0 }

    // MARK: Loading

    /// Compiles `code` as a text chunk in a fresh sandbox env; leaves [env, function] on the
    /// stack. With `environment` (a stack index), uses that env instead and leaves the function.
    func loadChunk(_ code: String, chunkName: String, environment: Int32? = nil) throws(ScriptError) {
        let environmentIndex = environment.map { qz_absindex(L, $0) }
        let bytes = Array(code.utf8CString)
        let status = bytes.withUnsafeBufferPointer { chars in
            if let environmentIndex { return qz_load_in_env(L, chars.baseAddress, chars.count - 1, chunkName, environmentIndex) }
            return qz_load_sandboxed(L, chars.baseAddress, chars.count - 1, chunkName)
        }
        if status != 0 {
            let message = stringAt(-1) ?? "could not load chunk"
            qz_pop(L, 1)
            throw ScriptError(kind: .syntax, luaMessage: message, fallbackLocation: nil)
        }
    }

    // MARK: Calling

    /// Calls the function pushed by `push` (which returns the argument count after pushing the
    /// function and its arguments), under the limits. `read` sees the results at the stack top.
    func call<T>(push: () -> Int32, read: (_ resultCount: Int32) throws(ScriptError) -> T) throws(ScriptError) -> T {
        let base = qz_gettop(L)
        defer {
            qz_settop(L, base)
            arena.reset()
            cacheUsersAskedFor()
        }
        qz_output_reset(runtime)
        let argumentCount = push()
        var result = qz_call_result()
        let status = qz_call(L, argumentCount, limits.instructionLimit, limits.timeoutMs, &result)
        if status != 0 {
            throw failure(result)
        }
        return try read(result.result_count)
    }

    func failure(_ result: qz_call_result) -> ScriptError {
        let message = stringAt(-1) ?? "unknown error"
        let location = withUnsafeBytes(of: result.location) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let kind: ScriptError.Kind
        switch qz_limit_kind(rawValue: UInt32(result.limit_hit)) {
        case QZ_LIMIT_INSTRUCTIONS: kind = .instructionLimit
        case QZ_LIMIT_MEMORY: kind = .memoryLimit
        case QZ_LIMIT_TIME: kind = .timeLimit
        default: kind = .runtime
        }
        if kind != .runtime {
            // The script may have left the state near its caps; a fresh state is cheaper than doubt.
            isPoisoned = true
            qz_gc_collect(L)
        }
        if kind == .runtime { return ScriptError(kind: kind, luaMessage: message, fallbackLocation: location) }
        return ScriptError(kind: kind, message: message, location: location.isEmpty ? nil : location)
    }

    /// What print() and quanzi.log() wrote during the last call.
    func takeOutput() -> (text: String, truncated: Bool) {
        var length = 0
        var truncated: Int32 = 0
        guard let bytes = qz_output(runtime, &length, &truncated), length > 0 else { return ("", false) }
        let text = String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
        qz_output_reset(runtime)
        return (text, truncated != 0)
    }

    // MARK: Stack access (non-raising)

    func stringAt(_ index: Int32) -> String? {
        var length = 0
        guard let bytes = qz_tolstring_raw(L, index, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
    }

    func pushReference(_ reference: Int32) { qz_push_ref(L, reference) }

    /// Pops the top value into the registry and returns its reference.
    func popReference() -> Int32 { qz_ref(L) }

    func release(reference: Int32) { qz_unref(L, reference) }
}
