import CLuaShim
import Core
import Social

/// One thing a rule read while deciding: a field of a record (`user.verified`) or a binding
/// call (`quanzi.credit.score(42)`), with the value it got. `:why` in the REPL shows them.
public enum RuleTraceEntry: Sendable, Hashable, CustomStringConvertible {
    case field(object: String, key: String, value: LuaValue)
    case call(name: String, arguments: [LuaValue], result: LuaValue)

    public var description: String {
        switch self {
        case .field(let object, let key, let value):
            return "\(object).\(key) = \(LuaValueFormat.literal(value))"
        case .call(let name, let arguments, let result):
            return "\(name)(\(arguments.map { LuaValueFormat.literal($0) }.joined(separator: ", "))) = \(LuaValueFormat.literal(result))"
        }
    }

    static func entries(from list: LuaValue) -> [RuleTraceEntry] {
        (list.tableValue?.sequence ?? []).compactMap { item in
            guard let record = item.tableValue else { return nil }
            switch record["kind"]?.stringValue {
            case "field":
                let object = record["object"].map { LuaValueFormat.describe($0) } ?? "?"
                return .field(object: "#\(object)", key: record["key"].map { LuaValueFormat.describe($0) } ?? "?", value: record["value"] ?? .null)
            case "call":
                return .call(name: record["name"]?.stringValue ?? "?", arguments: record["args"]?.tableValue?.sequence ?? [],
                             result: record["result"] ?? .null)
            default:
                return nil
            }
        }
    }
}

extension RuleEngine {
    /// Like `evaluate`, and also returns everything the rule read, in order. `dataSource`
    /// replaces the engine's for this call (a preview that logs no exposures).
    public func explain(
        circle: CircleID, action: CircleAction, user: UserProfile, context: RuleContext = RuleContext(), dataSource: (any ScriptDataSource)? = nil
    ) throws(QuanziError) -> (Decision, [RuleTraceEntry]) {
        var trace: [RuleTraceEntry] = []
        let decision = try evaluate(circle: circle, action: action, user: user, context: context, dataSource: dataSource) { state, phase in
            switch phase {
            case .before: qz_trace_begin(state.L)
            case .after:
                qz_trace_take(state.L)
                trace = RuleTraceEntry.entries(from: state.readValue(at: -1))
                qz_pop(state.L, 1)
            }
        }
        return (decision, trace)
    }
}
