import Foundation

/// Text for Lua values as people read them: `{id = 42, verified = true}`. Never runs script
/// code (the values were read raw), and stays short for huge or deep tables.
public enum LuaValueFormat {
    static let entriesShownMax = 50
    static let depthMax = 4

    /// Top-level strings print raw, like Lua's `print`; nested ones quoted.
    public static func describe(_ value: LuaValue) -> String {
        if case .string(let text) = value { return text }
        return literal(value, depth: 0)
    }

    public static func literal(_ value: LuaValue, depth: Int = 0) -> String {
        switch value {
        case .null: return "nil"
        case .boolean(let flag): return flag ? "true" : "false"
        case .integer(let number): return String(number)
        case .number(let value): return number(value)
        case .string(let text): return quoted(text)
        case .function(let function): return function.location.map { "function (\($0))" } ?? "function"
        case .other(let name): return name
        case .table(let table): return tableLiteral(table, depth: depth)
        }
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value.rounded() == value && abs(value) < 1e15 { return String(format: "%.1f", value) }
        return String(format: "%.14g", value)
    }

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += "\\\(scalar.value)"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    private static func tableLiteral(_ table: LuaTable, depth: Int) -> String {
        if table.entries.isEmpty { return table.truncated ? "{…}" : "{}" }
        if depth >= depthMax { return "{…}" }
        let sequence = table.sequence
        var parts = sequence.prefix(entriesShownMax).map { literal($0, depth: depth + 1) }
        let named = table.entries.filter { entry in
            if case .integer(let index) = entry.key, index >= 1, index <= Int64(sequence.count) { return false }
            return true
        }
        let sortedNamed = named.sorted { key($0.key) < key($1.key) }
        for entry in sortedNamed.prefix(max(0, entriesShownMax - parts.count)) {
            parts.append("\(key(entry.key)) = \(literal(entry.value, depth: depth + 1))")
        }
        if sequence.count + named.count > parts.count || table.truncated { parts.append("…") }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    private static func key(_ key: LuaValue) -> String {
        if case .string(let name) = key, isIdentifier(name) { return name }
        return "[\(literal(key, depth: depthMax))]"
    }

    private static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
