import CLuaShim
import Core

/// One call's answer in a batch: its boolean and, for a denial, its reason.
struct BatchAnswer: Sendable, Hashable {
    var allowed: Bool
    var reason: String?
}

/// Bounds on one entry into Lua for a batch: the arguments of every call and the answers' reasons
/// sit on the state's stack at once, and the values bindings hand to Lua are kept until it returns.
enum BatchLimits {
    /// Calls per entry; longer batches are split (see `LuaState.callBatch`).
    static let callsMax = 256
}

extension LuaState {
    /// Calls one function `count` times in one entry into Lua (`qz_call_batch`), each call made and
    /// bounded exactly as `call` makes one: a fresh instruction budget and deadline, the memory
    /// cap. `pushFunction` pushes the function last (what it pushes below it is popped afterwards);
    /// `pushSharedArguments` then pushes the `sharedArguments` leading arguments every call gets
    /// (pushed once per chunk, not once per call); `pushArguments(i)` pushes call i's
    /// `argumentsPerCall` arguments after them. Each call must return a boolean and, with
    /// `readReasons`, a string or nil reason when it is false. `sharedUser`: every call is about
    /// this one user, its first argument, so the bindings' batch memo may serve repeated
    /// questions about them (`ScriptBinding.batchMemoArguments`).
    ///
    /// Returns the answers in order up to the first call that failed, and that call's error: a
    /// script error or limit as `call` reports it, or `invalid()` (which may read the call's first
    /// two results at -2 and -1) for results of the wrong shape. The calls after it are not made.
    func callBatch(
        count: Int, sharedArguments: Int = 0, argumentsPerCall: Int, readReasons: Bool, sharedUser: UserID? = nil,
        pushFunction: () -> Void, pushSharedArguments: () -> Void = {}, pushArguments: (Int) -> Void, invalid: () -> ScriptError
    ) -> (answers: [BatchAnswer], failure: ScriptError?) {
        var answers: [BatchAnswer] = []
        answers.reserveCapacity(count)
        var start = 0
        while start < count {
            let end = min(count, start + BatchLimits.callsMax)
            let failure = callChunk(
                start..<end, sharedArguments: sharedArguments, argumentsPerCall: argumentsPerCall, readReasons: readReasons,
                sharedUser: sharedUser, pushFunction: pushFunction, pushSharedArguments: pushSharedArguments,
                pushArguments: pushArguments, invalid: invalid, into: &answers)
            if let failure { return (answers, failure) }
            start = end
        }
        return (answers, nil)
    }

    private func callChunk(
        _ calls: Range<Int>, sharedArguments: Int, argumentsPerCall: Int, readReasons: Bool, sharedUser: UserID?,
        pushFunction: () -> Void, pushSharedArguments: () -> Void, pushArguments: (Int) -> Void, invalid: () -> ScriptError,
        into answers: inout [BatchAnswer]
    ) -> ScriptError? {
        let base = qz_gettop(L)
        defer {
            qz_settop(L, base)
            arena.reset()
            cacheUsersAskedFor()
        }
        // The pushes below need room on the stack; a push never checks for it.
        guard qz_checkstack(L, Int32(16 + 1 + sharedArguments + calls.count * argumentsPerCall)) != 0 else {
            return ScriptError(kind: .runtime, message: "too many arguments for one batch", location: nil)
        }
        pushFunction()
        let functionIndex = qz_gettop(L)
        pushSharedArguments()
        precondition(qz_gettop(L) == functionIndex + Int32(sharedArguments), "pushSharedArguments pushed the wrong number of values")
        for call in calls { pushArguments(call) }
        var decisions = [qz_decision](repeating: qz_decision(), count: calls.count)
        var result = qz_batch_result()
        let status = decisions.withUnsafeMutableBufferPointer { buffer in
            qz_call_batch(
                L, functionIndex, Int32(sharedArguments), functionIndex + 1 + Int32(sharedArguments), Int32(argumentsPerCall),
                Int32(calls.count), readReasons ? 1 : 0, sharedUser == nil ? 0 : 1, sharedUser?.rawValue ?? 0,
                limits.instructionLimit, limits.timeoutMs, buffer.baseAddress, &result)
        }
        // Reasons point into strings on the stack: read them before it is reset. Every one stays
        // there until then, so the same pointer is the same string: a rule's constant reason is
        // decoded once per chunk, not once per denial.
        var lastReason: (bytes: UnsafePointer<CChar>, text: String)?
        for decision in decisions.prefix(Int(result.decided)) {
            var reason: String?
            if let bytes = decision.reason {
                if let lastReason, lastReason.bytes == bytes {
                    reason = lastReason.text
                } else {
                    let text = String(decoding: UnsafeRawBufferPointer(start: bytes, count: decision.reason_length), as: UTF8.self)
                    lastReason = (bytes, text)
                    reason = text
                }
            }
            answers.append(BatchAnswer(allowed: decision.allowed != 0, reason: reason))
        }
        if status != 0 { return failure(result.failure) }
        if result.invalid != 0 { return invalid() }
        return nil
    }
}
