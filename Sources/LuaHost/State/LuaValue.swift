import Social

/// A Lua value read by the host. Reading never runs script code: tables are walked with raw
/// access and proxies through their backing tables, bounded in depth and size.
public enum LuaValue: Sendable, Hashable {
    case null
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case table(LuaTable)
    case function(LuaFunction)
    /// userdata, threads: only the type name is kept.
    case other(String)

    /// The Lua type name, as `type()` would say (`integer`/`number` both say "number").
    public var typeName: String {
        switch self {
        case .null: "nil"
        case .boolean: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .table: "table"
        case .function: "function"
        case .other(let name): name
        }
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var tableValue: LuaTable? {
        if case .table(let table) = self { return table }
        return nil
    }

    /// Integers, and floats with an integral value (Lua writes `1e3` as a float).
    public var integerValue: Int64? {
        switch self {
        case .integer(let value): return value
        case .number(let value) where value.rounded() == value && abs(value) < 9.0e18: return Int64(value)
        default: return nil
        }
    }

    public var numberValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }
}

/// A table's entries in the order `next` gave them, plus lookups.
public struct LuaTable: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var key: LuaValue
        public var value: LuaValue
    }
    public var entries: [Entry]
    /// True when the walk stopped at the size or depth bound.
    public var truncated: Bool

    public init(entries: [Entry] = [], truncated: Bool = false) {
        self.entries = entries
        self.truncated = truncated
    }

    public subscript(key: String) -> LuaValue? {
        entries.first { $0.key == .string(key) }?.value
    }

    /// Values at keys 1…n, stopping at the first gap, like `ipairs`.
    public var sequence: [LuaValue] {
        var values: [LuaValue] = []
        var byIndex: [Int64: LuaValue] = [:]
        for entry in entries { if case .integer(let index) = entry.key { byIndex[index] = entry.value } }
        var index: Int64 = 1
        while let value = byIndex[index] {
            values.append(value)
            index += 1
        }
        return values
    }

    /// Entries whose keys are strings, sorted by key (stable output for messages).
    public var fields: [(name: String, value: LuaValue)] {
        entries.compactMap { entry in entry.key.stringValue.map { ($0, entry.value) } }.sorted { $0.name < $1.name }
    }

    public var isSequence: Bool { entries.count == sequence.count }
}

/// A function living in one Lua state's registry, with where it was defined.
public struct LuaFunction: Sendable, Hashable {
    public let reference: Int32
    /// The file and the line of its `function` keyword (nil for a C function).
    public let location: SourceLocation?
    /// The line of its `end` (Lua's `lastlinedefined`; nil for a C function).
    public let lastLine: Int?

    /// The lines of its source text, first to last (nil for a C function).
    public var lines: ClosedRange<Int>? {
        guard let first = location?.line, let lastLine, lastLine >= first else { return nil }
        return first...lastLine
    }
}
