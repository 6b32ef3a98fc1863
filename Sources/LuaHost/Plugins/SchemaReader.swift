import Social

/// Reads a declaration table field by field and collects *every* problem with its line, the way
/// Kong validates a plugin schema: unknown fields (with a did-you-mean), missing required fields,
/// wrong types and out-of-range numbers.
struct SchemaReader {
    let source: PluginSource
    let declarationLine: Int
    private let locator: SourceLocator
    private(set) var problems: [PluginProblem] = []

    init(source: PluginSource, declarationLine: Int) {
        self.source = source
        self.declarationLine = declarationLine
        locator = SourceLocator(source: source.code)
    }

    typealias Path = [SourceLocator.PathComponent]

    func location(_ path: Path) -> SourceLocation {
        SourceLocation(file: source.path, line: locator.line(of: path, declarationLine: declarationLine))
    }

    mutating func report(_ path: Path, _ message: String) {
        problems.append(PluginProblem(location(path), message))
    }

    static func describe(_ path: Path) -> String {
        var text = ""
        for component in path {
            switch component {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// Reports fields of `table` not in `known`, suggesting the closest known name.
    mutating func rejectUnknownFields(_ table: LuaTable, at path: Path, known: [String]) {
        for entry in table.entries {
            guard let name = entry.key.stringValue else {
                report(path, "\(Self.describe(path).isEmpty ? "declaration" : "'\(Self.describe(path))'") has a field with a \(entry.key.typeName) key; only named fields are allowed")
                continue
            }
            guard !known.contains(name) else { continue }
            let field = Self.describe(path + [.key(name)])
            if let suggestion = Self.closest(to: name, in: known) {
                report(path + [.key(name)], "unknown field '\(field)' (did you mean '\(suggestion)'?)")
            } else {
                report(path + [.key(name)], "unknown field '\(field)' (known: \(known.joined(separator: ", ")))")
            }
        }
    }

    mutating func string(_ table: LuaTable, _ key: String, at path: Path, required: Bool) -> String? {
        guard let value = table[key], value != .null else {
            if required { report(path, "missing required field '\(Self.describe(path + [.key(key)]))' (a string)") }
            return nil
        }
        guard let text = value.stringValue else {
            report(path + [.key(key)], "field '\(Self.describe(path + [.key(key)]))' must be a string, got \(value.typeName)")
            return nil
        }
        return text
    }

    mutating func boolean(_ table: LuaTable, _ key: String, at path: Path, required: Bool) -> Bool? {
        guard let value = table[key], value != .null else {
            if required { report(path, "missing required field '\(Self.describe(path + [.key(key)]))' (true or false)") }
            return nil
        }
        guard case .boolean(let flag) = value else {
            report(path + [.key(key)], "field '\(Self.describe(path + [.key(key)]))' must be a boolean, got \(value.typeName)")
            return nil
        }
        return flag
    }

    mutating func table(_ table: LuaTable, _ key: String, at path: Path, required: Bool) -> LuaTable? {
        guard let value = table[key], value != .null else {
            if required { report(path, "missing required field '\(Self.describe(path + [.key(key)]))' (a table)") }
            return nil
        }
        guard let nested = value.tableValue else {
            report(path + [.key(key)], "field '\(Self.describe(path + [.key(key)]))' must be a table, got \(value.typeName)")
            return nil
        }
        return nested
    }

    /// A finite number within `range`.
    mutating func number(_ table: LuaTable, _ key: String, at path: Path, in range: ClosedRange<Double>) -> Double? {
        guard let value = table[key], value != .null else { return nil }
        let field = Self.describe(path + [.key(key)])
        guard let number = value.numberValue else {
            report(path + [.key(key)], "field '\(field)' must be a number, got \(value.typeName)")
            return nil
        }
        guard number.isFinite, range.contains(number) else {
            report(path + [.key(key)], "field '\(field)' must be between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound)), got \(Self.format(number))")
            return nil
        }
        return number
    }

    mutating func integer(_ table: LuaTable, _ key: String, at path: Path, in range: ClosedRange<Int64>) -> Int64? {
        guard let value = table[key], value != .null else { return nil }
        let field = Self.describe(path + [.key(key)])
        guard let number = value.integerValue else {
            report(path + [.key(key)], "field '\(field)' must be an integer, got \(value.numberValue.map(Self.format) ?? value.typeName)")
            return nil
        }
        guard range.contains(number) else {
            report(path + [.key(key)], "field '\(field)' must be between \(range.lowerBound) and \(range.upperBound), got \(number)")
            return nil
        }
        return number
    }

    static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    /// The known name within edit distance 2 of `name`, if one is clearly closest.
    static func closest(to name: String, in known: [String]) -> String? {
        let scored = known.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= 2 }.sorted { $0.1 < $1.1 }
        return scored.first?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
