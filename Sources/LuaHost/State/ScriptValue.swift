/// A value the host hands to scripts (binding results, records). Tables reach Lua as read-only
/// proxies.
public enum ScriptValue: Sendable, Hashable {
    case null
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    /// A table with string keys, in this order.
    case record([Field])
    /// A table with keys 1…n.
    case list([ScriptValue])

    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: ScriptValue
        public init(_ name: String, _ value: ScriptValue) {
            self.name = name
            self.value = value
        }
    }
}
