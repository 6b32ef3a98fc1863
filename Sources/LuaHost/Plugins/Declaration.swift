import CLuaShim
import Foundation
import Social

/// What a plugin file declared by calling `quanzi.circle{...}`, `quanzi.experiment{...}` or
/// `quanzi.metrics{...}` while its top level ran.
struct Declaration {
    enum Kind: String {
        case circle, experiment, metrics
    }

    var kind: Kind
    var value: LuaValue
    var location: SourceLocation
}

extension LuaState {
    /// Runs a plugin's top level under the limits, freezes its globals, and returns what it
    /// declared. A plugin that declares nothing is a problem for the caller to report.
    func runPlugin(_ source: PluginSource) throws(ScriptError) -> [Declaration] {
        let base = qz_gettop(L)
        defer { qz_settop(L, base) }
        try loadChunk(source.code, chunkName: "@" + source.path)
        // Stack: env, function. The call consumes the function; its results are not needed.
        try call(push: { qz_pushvalue(L, -1); return 0 }, read: { _ in })
        qz_env_freeze(L, base + 1)
        qz_take_declarations(L)
        let list = readValue(at: -1)
        return (list.tableValue?.sequence ?? []).compactMap { entry in
            guard let record = entry.tableValue, let kind = record["kind"]?.stringValue.flatMap(Declaration.Kind.init),
                let value = record["value"]
            else { return nil }
            return Declaration(kind: kind, value: value, location: Self.location(record["where"]?.stringValue, in: source))
        }
    }

    /// luaL_where's "file:line: " → SourceLocation (line 1 of the file when unknown).
    static func location(_ where: String?, in source: PluginSource) -> SourceLocation {
        if let text = `where`?.trimmingCharacters(in: CharacterSet(charactersIn: ": ")),
            let colon = text.lastIndex(of: ":"), let line = Int(text[text.index(after: colon)...])
        {
            return SourceLocation(file: source.path, line: line)
        }
        return SourceLocation(file: source.path, line: 1)
    }
}
