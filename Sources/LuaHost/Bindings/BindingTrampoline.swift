import CLua
import CLuaShim
import Core

/// The one entry point of every Swift binding from C: C passes the binding's index in
/// `ScriptBinding.all`. Reads arguments with non-raising accessors, answers through the table's
/// closure, and hands values back for C to push, so no Lua error can ever be raised while a Swift
/// frame is on the stack.
let bindingTrampoline: qz_binding_fn = { context, L, index, results, capacity in
    guard let context, let results, capacity > 0 else { return 0 }
    let state = Unmanaged<LuaState>.fromOpaque(context).takeUnretainedValue()
    let answer = state.answerBinding(Int(index), arguments: BindingArguments(L: L))
    switch answer {
    case .values(let values):
        for (offset, value) in values.prefix(Int(capacity)).enumerated() { results[offset] = state.arena.encode(value) }
        return Int32(min(values.count, Int(capacity)))
    case .argument(let index):
        results[0].type = Int32(QZ_VALUE_ARGUMENT.rawValue)
        results[0].integer = Int64(index)
        return 1
    case .reference(let reference):
        results[0].type = Int32(QZ_VALUE_REFERENCE.rawValue)
        results[0].integer = Int64(reference)
        return 1
    case .error(let message):
        results[0] = state.arena.encode(.string(message))
        results[0].type = Int32(QZ_VALUE_ERROR.rawValue)
        return 1
    }
}

/// The binding table as `qz_state_new` reads it: C strings made once, for the process's life.
struct BindingSpecs: @unchecked Sendable {
    static let all = BindingSpecs(ScriptBinding.all)

    let specs: UnsafePointer<qz_binding_spec>
    let count: Int32

    private init(_ bindings: [ScriptBinding]) {
        let specs = UnsafeMutablePointer<qz_binding_spec>.allocate(capacity: max(bindings.count, 1))
        for (index, binding) in bindings.enumerated() {
            let path = Array(binding.path.utf8CString)
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: path.count)
            copy.initialize(from: path, count: path.count)
            let native: qz_native_function
            switch binding.implementation {
            case .swift: native = QZ_NATIVE_NONE
            case .native(let function): native = function
            }
            specs[index] = qz_binding_spec(
                path: UnsafePointer(copy), native: Int32(native.rawValue), batch_memo_arguments: Int32(binding.batchMemoArguments))
        }
        self.specs = UnsafePointer(specs)
        count = Int32(bindings.count)
    }
}

extension LuaState {
    /// Users cached after one call at most: a script looping over thousands of ids would
    /// otherwise have every one built a second time.
    static let usersToCacheMax = 256

    func answerBinding(_ index: Int, arguments: BindingArguments) -> BindingAnswer {
        let bindings = ScriptBinding.all
        guard bindings.indices.contains(index), case .swift(let answer) = bindings[index].implementation else {
            return .error("unknown binding")
        }
        return answer(BindingCall(state: self, index: index, arguments: arguments))
    }

    /// `quanzi.user(id)`'s answer: the cached proxy when the profile is unchanged, else a record.
    func userAnswer(_ id: UserID) -> BindingAnswer {
        guard let user = dataSource.user(id) else { return .values([.null]) }
        let now = clock.nowEpochSeconds
        // A cached proxy costs a registry lookup. A missing one cannot be made and cached here
        // (building it allocates under the memory cap, which may not fail with Swift frames
        // on the stack), so C builds this answer and the state caches the user after the call.
        // While tracing a cached (untraced) record would hide the rule's reads of it.
        if !isTracing, let reference = userProxyCache.cachedReference(for: id, stamp: UserStamp(user: user, day: now / 86_400)) {
            return .reference(reference)
        }
        if usersToCache.count < Self.usersToCacheMax { usersToCache.append(user) }
        return .values([UserRecord.make(user, nowEpochSeconds: now)])
    }
}

/// The arguments of a binding call, on the calling thread's stack (a coroutine's, not
/// necessarily the main state's).
struct BindingArguments {
    let L: OpaquePointer?

    func string(_ index: Int32) -> String? {
        var length = 0
        guard let bytes = qz_tolstring_raw(L, index, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
    }

    /// A user argument: C has already replaced user proxies by their ids.
    func user(_ index: Int32) -> UserID? {
        switch qz_type(L, index) {
        case LUA_TNUMBER:
            if qz_isinteger(L, index) != 0 { return UserID(qz_tointeger(L, index)) }
            let number = qz_tonumber(L, index)
            return number.rounded() == number && abs(number) < 9e18 ? UserID(Int64(number)) : nil
        default:
            return nil
        }
    }
}
