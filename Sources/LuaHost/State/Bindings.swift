import CLua
import CLuaShim
import Core

/// Entry point for `quanzi.*` bindings from C. Reads arguments with non-raising accessors,
/// answers through the state's data source, and hands values back for C to push, so no Lua
/// error can ever be raised while a Swift frame is on the stack.
let bindingTrampoline: qz_binding_fn = { context, L, bindingID, results, capacity in
    guard let context, let results, capacity > 0 else { return 0 }
    let state = Unmanaged<LuaState>.fromOpaque(context).takeUnretainedValue()
    let answer = state.answerBinding(qz_binding_id(rawValue: UInt32(bindingID)), arguments: BindingArguments(L: L))
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

enum BindingAnswer {
    case values([ScriptValue])
    /// Return the caller's argument at this index unchanged (e.g. the default of ab.param).
    case argument(Int32)
    /// Return the value the registry holds under this reference (a cached proxy).
    case reference(Int32)
    case error(String)
}

extension LuaState {
    /// Users cached after one call at most: a script looping over thousands of ids would
    /// otherwise have every one built a second time.
    static let usersToCacheMax = 256

    func answerBinding(_ binding: qz_binding_id, arguments: BindingArguments) -> BindingAnswer {
        let source = dataSource
        func userArgument(_ index: Int32) -> UserID? { arguments.user(index) }
        func stringAt(_ index: Int32) -> String? { arguments.string(index) }
        switch binding {
        case QZ_BIND_USER:
            guard let id = userArgument(1) else { return .error("quanzi.user expects a user id") }
            guard let user = source.user(id) else { return .values([.null]) }
            let now = clock.nowEpochSeconds
            // A cached proxy costs a registry lookup. A missing one cannot be made and cached here
            // (building it allocates under the memory cap, which may not fail with Swift frames
            // on the stack), so C builds this answer and the state caches the user after the call.
            if let reference = userProxyCache.cachedReference(for: id, stamp: UserStamp(user: user, day: now / 86_400)) {
                return .reference(reference)
            }
            if usersToCache.count < Self.usersToCacheMax { usersToCache.append(user) }
            return .values([UserRecord.make(user, nowEpochSeconds: now)])
        case QZ_BIND_CREDIT_SCORE:
            guard let id = userArgument(1) else { return .error("quanzi.credit.score expects a user or user id") }
            guard let score = source.creditScore(id) else { return .error("no credit score for user \(id)") }
            return .values([.integer(Int64(score))])
        case QZ_BIND_CREDIT_EXPLAIN:
            guard let id = userArgument(1) else { return .error("quanzi.credit.explain expects a user or user id") }
            guard let explanation = source.creditExplanation(id) else { return .error("no credit score for user \(id)") }
            return .values([explanation])
        case QZ_BIND_SOCIAL_ARE_FRIENDS:
            guard let first = userArgument(1), let second = userArgument(2) else {
                return .error("quanzi.social.are_friends expects two users or user ids")
            }
            return .values([.boolean(source.areFriends(first, second))])
        case QZ_BIND_SOCIAL_AFFINITY:
            guard let viewer = userArgument(1), let author = userArgument(2) else {
                return .error("quanzi.social.affinity expects two users or user ids")
            }
            return .values([.number(source.affinity(from: viewer, to: author))])
        case QZ_BIND_WALLET_BALANCE:
            guard let id = userArgument(1) else { return .error("quanzi.wallet.balance expects a user or user id") }
            guard let balance = source.balanceFen(id) else { return .error("no wallet for user \(id)") }
            return .values([.integer(balance)])
        case QZ_BIND_AB_VARIANT:
            guard let user = userArgument(1), let experiment = stringAt(2) else {
                return .error("quanzi.ab.variant expects (user, experiment_id)")
            }
            do throws(QuanziError) {
                return .values([try source.experimentVariant(user: user, experiment: experiment).map(ScriptValue.string) ?? .null])
            } catch {
                return .error(error.message)
            }
        case QZ_BIND_AB_PARAM:
            guard let user = userArgument(1), let experiment = stringAt(2), let key = stringAt(3) else {
                return .error("quanzi.ab.param expects (user, experiment_id, key, default)")
            }
            do throws(QuanziError) {
                guard let value = try source.experimentParameter(user: user, experiment: experiment, key: key) else {
                    return .argument(4)
                }
                return .values([value])
            } catch {
                return .error(error.message)
            }
        case QZ_BIND_NOW:
            return .values([.integer(clock.nowEpochSeconds)])
        default:
            return .error("unknown binding")
        }
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
