import Core

/// A script failed: a syntax error, a runtime error, a host limit, or a result of the wrong shape.
/// Always carries `file:line` when one is known.
public struct ScriptError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case syntax, runtime, instructionLimit, memoryLimit, timeLimit, invalidResult
    }

    public var kind: Kind
    /// The message without its location.
    public var message: String
    /// `file:line`, when known.
    public var location: String?

    public init(kind: Kind, message: String, location: String?) {
        self.kind = kind
        self.message = message
        self.location = location
    }

    /// Splits Lua's "file:line: message" into its parts; otherwise uses `fallbackLocation`.
    init(kind: Kind, luaMessage: String, fallbackLocation: String?) {
        self.kind = kind
        if let (location, rest) = Self.splitLocation(luaMessage) {
            self.location = location
            self.message = rest
        } else {
            self.location = fallbackLocation.flatMap { $0.isEmpty ? nil : $0 }
            self.message = luaMessage
        }
    }

    public var description: String {
        guard let location else { return message }
        return "\(location): \(message)"
    }

    /// True for the limits that make the host discard the state.
    public var isLimit: Bool { kind == .instructionLimit || kind == .memoryLimit || kind == .timeLimit }

    /// The same failure as a coded error for the API, CLI and REPL.
    public var quanziError: QuanziError {
        let code: QuanziError.Code =
            switch kind {
            case .instructionLimit: .instructionLimitExceeded
            case .memoryLimit: .memoryLimitExceeded
            case .timeLimit: .timeLimitExceeded
            case .syntax, .runtime, .invalidResult: .scriptError
            }
        return QuanziError(code, description)
    }

    /// "plugins/x.lua:12: boom" → ("plugins/x.lua:12", "boom").
    static func splitLocation(_ text: String) -> (String, String)? {
        var searchStart = text.startIndex
        while let colon = text[searchStart...].firstIndex(of: ":") {
            let afterColon = text.index(after: colon)
            let digits = text[afterColon...].prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty, colon > text.startIndex {
                let afterDigits = digits.endIndex
                if text[afterDigits...].hasPrefix(": ") {
                    let location = String(text[..<afterDigits])
                    let rest = String(text[text.index(afterDigits, offsetBy: 2)...])
                    return (location, rest)
                }
            }
            searchStart = afterColon
            if text.distance(from: text.startIndex, to: searchStart) > 300 { return nil }
        }
        return nil
    }
}
