import CLua
import CLuaShim
import Social

/// Bounds on reading a Lua value into Swift: a hostile declaration cannot make the host walk
/// forever or recurse without end.
enum ValueReadLimits {
    static let depthMax = 32
    static let entriesMax = 100_000
}

extension LuaState {
    /// Reads the value at `index` without running any script code.
    /// Functions are kept in the registry (see `LuaFunction.reference`).
    func readValue(at index: Int32, depth: Int = 0, budget: inout Int) -> LuaValue {
        let index = qz_absindex(L, index)
        switch qz_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return .null
        case LUA_TBOOLEAN: return .boolean(qz_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            return qz_isinteger(L, index) != 0 ? .integer(qz_tointeger(L, index)) : .number(qz_tonumber(L, index))
        case LUA_TSTRING: return .string(stringAt(index) ?? "")
        case LUA_TFUNCTION:
            var source = [CChar](repeating: 0, count: 4_096)
            var lastLine: Int32 = -1
            let line = qz_function_line(L, index, &source, source.count, &lastLine)
            let file = String(decoding: source.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            qz_pushvalue(L, index)
            let reference = qz_ref(L)
            return .function(LuaFunction(reference: reference, location: line > 0 ? SourceLocation(file: file, line: Int(line)) : nil,
                                         lastLine: line > 0 && lastLine >= line ? Int(lastLine) : nil))
        case LUA_TTABLE:
            return .table(readTable(at: index, depth: depth, budget: &budget))
        case LUA_TUSERDATA where qz_is_proxy(L, index) != 0:
            qz_proxy_backing(L, index)
            defer { qz_pop(L, 1) }
            return .table(readTable(at: -1, depth: depth, budget: &budget))
        case LUA_TUSERDATA, LUA_TLIGHTUSERDATA: return .other("userdata")
        case LUA_TTHREAD: return .other("thread")
        default: return .other("unknown")
        }
    }

    func readValue(at index: Int32) -> LuaValue {
        var budget = ValueReadLimits.entriesMax
        return readValue(at: index, budget: &budget)
    }

    private func readTable(at index: Int32, depth: Int, budget: inout Int) -> LuaTable {
        let index = qz_absindex(L, index)
        guard depth < ValueReadLimits.depthMax, qz_checkstack(L, 4) != 0 else { return LuaTable(truncated: true) }
        var table = LuaTable()
        qz_pushnil(L)
        while qz_rawnext(L, index) != 0 {
            if budget <= 0 {
                qz_pop(L, 2)
                table.truncated = true
                return table
            }
            budget -= 1
            let key = readValue(at: -2, depth: depth + 1, budget: &budget)
            let value = readValue(at: -1, depth: depth + 1, budget: &budget)
            table.entries.append(LuaTable.Entry(key: key, value: value))
            qz_pop(L, 1)
        }
        return table
    }
}
