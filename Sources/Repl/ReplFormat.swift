import Core
import Credit
import LuaHost
import Social

/// How the REPL prints things: users as one line, lists of records as aligned tables, records
/// as aligned `key = value` lines, everything else as a Lua literal.
enum ReplFormat {
    static let rowsShownMax = 50

    static func value(_ value: LuaValue) -> String {
        guard case .table(let table) = value else { return LuaValueFormat.describe(value) }
        if let summary = userSummary(table) { return summary }
        let sequence = table.sequence
        if !sequence.isEmpty, table.isSequence, sequence.allSatisfy({ $0.tableValue.map(isRecord) ?? false }) {
            return alignedTable(sequence.compactMap(\.tableValue))
        }
        if isRecord(table), !table.entries.isEmpty {
            let width = table.fields.map(\.name.count).max() ?? 0
            return table.fields.map { field in
                let shown = field.value.tableValue.flatMap(userSummary) ?? LuaValueFormat.literal(field.value)
                return field.name.padding(toLength: width, withPad: " ", startingAt: 0) + " = " + shown
            }.joined(separator: "\n")
        }
        return LuaValueFormat.literal(value)
    }

    /// One line per file of `versions`, aligned: its path and version, marked `(changed)` or
    /// `(new)` against `previous`; then each file `previous` had and `versions` has not.
    static func fileVersions(_ versions: ScriptVersions, since previous: ScriptVersions) -> [String] {
        func key(_ file: ScriptVersions.File) -> String { "\(file.folder.rawValue)/\(file.name)" }
        let before = Dictionary(previous.files.map { (key($0), $0.version) }, uniquingKeysWith: { first, _ in first })
        let current = Set(versions.files.map(key))
        let width = (versions.files + previous.files).map(\.path.count).max() ?? 0
        let lines = versions.files.map { file in
            let mark = before[key(file)].map { $0 == file.version ? "" : "  (changed)" } ?? "  (new)"
            return "  " + file.path.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + file.version + mark
        }
        return lines + previous.files.filter { !current.contains(key($0)) }.map { file in
            "  " + file.path.padding(toLength: width, withPad: " ", startingAt: 0) + "  removed (was \(file.version))"
        }
    }

    static func isRecord(_ table: LuaTable) -> Bool { table.entries.allSatisfy { $0.key.stringValue != nil } }

    /// "user 42 · Wang Fang · female student · verified · Hangzhou" for tables that look like users.
    static func userSummary(_ table: LuaTable) -> String? {
        guard case .integer(let id)? = table["id"], case .boolean(let verified)? = table["verified"],
            let gender = table["gender"]?.stringValue, let occupation = table["occupation"]?.stringValue
        else { return nil }
        var parts = ["user \(id)"]
        if let name = table["name"]?.stringValue, !name.isEmpty { parts.append(name) }
        parts.append("\(gender) \(occupation.replacingOccurrences(of: "_", with: " "))")
        if case .integer(let age)? = table["age"] { parts.append("age \(age)") }
        parts.append(verified ? "verified" : "not verified")
        if let city = table["city"]?.stringValue { parts.append(city) }
        return parts.joined(separator: " · ")
    }

    static func userSummary(_ user: UserProfile) -> String {
        var parts = ["user \(user.id)"]
        if !user.displayName.isEmpty { parts.append(user.displayName) }
        parts.append("\(user.gender.rawValue) \(user.occupation.rawValue.replacingOccurrences(of: "_", with: " "))")
        parts.append(user.verified ? "verified" : "not verified")
        if let city = user.city { parts.append(city) }
        return parts.joined(separator: " · ")
    }

    static func alignedTable(_ rows: [LuaTable]) -> String {
        var columns: [String] = []
        for row in rows { for field in row.fields where !columns.contains(field.name) { columns.append(field.name) } }
        let shown = rows.prefix(rowsShownMax)
        let cells = shown.map { row in columns.map { column in row[column].map { LuaValueFormat.describe($0) } ?? "" } }
        let widths = columns.indices.map { index in max(columns[index].count, cells.map { $0[index].count }.max() ?? 0) }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var lines = [line(columns), line(widths.map { String(repeating: "-", count: $0) })] + cells.map(line)
        if rows.count > shown.count { lines.append("… \(rows.count - shown.count) more rows") }
        return lines.joined(separator: "\n")
    }

    static func credit(_ report: CreditReport) -> String {
        var lines = ["user \(report.userID): credit \(report.score) (350–950)"]
        for dimension in report.dimensions {
            lines.append("  \(dimension.dimension.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)) \(dimension.points) / \(dimension.dimension.maximumPoints)")
            for reason in dimension.reasons { lines.append("      \(reason.points >= 0 ? "+" : "")\(reason.points)  \(reason.message)") }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
