/// Finds the line of a field inside a declaration (`ranking.half_life_hours`, `tests[2].user`),
/// so that a schema problem points at the offending line rather than at `quanzi.circle {`.
///
/// Lua keeps no lines for table fields, so this reads the source: a small tokenizer that knows
/// strings, long brackets and comments well enough to find keys and braces. When a path cannot
/// be followed it answers the closest enclosing line found.
struct SourceLocator {
    private enum TokenKind: Equatable {
        case name(String)
        case symbol(Character)
        case other
    }

    private struct Token {
        var kind: TokenKind
        var line: Int
    }

    enum PathComponent: Hashable {
        case key(String)
        case index(Int)
    }

    private let tokens: [Token]

    init(source: String) {
        tokens = Self.tokenize(Array(source.utf8))
    }

    /// The line of `path` inside the table constructor that starts on or after `declarationLine`.
    func line(of path: [PathComponent], declarationLine: Int) -> Int {
        guard var position = tokens.firstIndex(where: { $0.line >= declarationLine && $0.kind == .symbol("{") }) else {
            return declarationLine
        }
        var bestLine = tokens[position].line
        for component in path {
            guard let (valueStart, keyLine) = locate(component, inTableOpenedAt: position) else { return bestLine }
            bestLine = keyLine
            position = valueStart
            guard tokens[position].kind == .symbol("{") else { return bestLine }
        }
        return bestLine
    }

    /// Finds `component` among the direct entries of the table whose `{` is at `open`.
    /// Returns the index of the entry's value token and the line of the entry.
    private func locate(_ component: PathComponent, inTableOpenedAt open: Int) -> (Int, Int)? {
        var depth = 0
        var position = open + 1
        var positionalIndex = 0
        var entryStart = true
        while position < tokens.count {
            let token = tokens[position]
            switch token.kind {
            case .symbol("{"), .symbol("("), .symbol("["):
                if depth == 0 && entryStart, case .index(let wanted) = component, token.kind == .symbol("{") {
                    positionalIndex += 1
                    if positionalIndex == wanted { return (position, token.line) }
                    entryStart = false
                } else if depth == 0 && entryStart && token.kind != .symbol("[") {
                    positionalIndex += 1
                    if case .index(let wanted) = component, positionalIndex == wanted { return (position, token.line) }
                    entryStart = false
                } else if depth == 0 {
                    entryStart = false
                }
                depth += 1
            case .symbol("}"), .symbol(")"), .symbol("]"):
                if depth == 0 { return nil }
                depth -= 1
            case .symbol(","), .symbol(";"):
                if depth == 0 { entryStart = true }
            case .name("function"):
                // A function body can hold commas and braces of its own: skip to its `end`.
                if depth == 0 && entryStart {
                    positionalIndex += 1
                    entryStart = false
                }
                position = endOfBlock(openedAt: position)
            case .name(let name) where depth == 0 && entryStart:
                let isKey = position + 1 < tokens.count && tokens[position + 1].kind == .symbol("=")
                if isKey {
                    if case .key(let wanted) = component, wanted == name, position + 2 < tokens.count {
                        return (position + 2, token.line)
                    }
                    position += 1  // skip '='; the value follows
                } else {
                    positionalIndex += 1
                    if case .index(let wanted) = component, positionalIndex == wanted { return (position, token.line) }
                }
                entryStart = false
            default:
                if depth == 0 && entryStart {
                    positionalIndex += 1
                    if case .index(let wanted) = component, positionalIndex == wanted { return (position, token.line) }
                    entryStart = false
                }
            }
            position += 1
        }
        return nil
    }

    /// Index of the `end` closing the block opened at `open` (`function`, `do`, `if`, `repeat`).
    private func endOfBlock(openedAt open: Int) -> Int {
        var blocks = 1
        var position = open + 1
        while position < tokens.count {
            if case .name(let word) = tokens[position].kind {
                switch word {
                case "function", "do", "if", "repeat": blocks += 1
                case "end", "until": blocks -= 1
                default: break
                }
                if blocks == 0 { return position }
            }
            position += 1
        }
        return position
    }

    private static func tokenize(_ bytes: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var line = 1
        var index = 0
        func peek(_ offset: Int) -> UInt8 { index + offset < bytes.count ? bytes[index + offset] : 0 }
        // Skips a long bracket `[==[ ... ]==]` starting at `index`; returns false if not one.
        func skipLongBracket() -> Bool {
            var level = 0
            while peek(1 + level) == UInt8(ascii: "=") { level += 1 }
            guard peek(1 + level) == UInt8(ascii: "[") else { return false }
            index += 2 + level
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "\n") { line += 1 }
                if bytes[index] == UInt8(ascii: "]") {
                    var closing = 0
                    while peek(1 + closing) == UInt8(ascii: "=") { closing += 1 }
                    if closing == level && peek(1 + closing) == UInt8(ascii: "]") {
                        index += 2 + level
                        return true
                    }
                }
                index += 1
            }
            return true
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "-") where peek(1) == UInt8(ascii: "-"):
                index += 2
                if peek(0) == UInt8(ascii: "["), skipLongBracket() { continue }
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let startLine = line
                index += 1
                while index < bytes.count && bytes[index] != byte {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    if index < bytes.count && bytes[index] == UInt8(ascii: "\n") { line += 1 }
                    index += 1
                }
                index += 1
                tokens.append(Token(kind: .other, line: startLine))
            case UInt8(ascii: "[") where peek(1) == UInt8(ascii: "[") || peek(1) == UInt8(ascii: "="):
                let startLine = line
                if skipLongBracket() {
                    tokens.append(Token(kind: .other, line: startLine))
                } else {
                    tokens.append(Token(kind: .symbol("["), line: line))
                    index += 1
                }
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
                let start = index
                while index < bytes.count,
                    bytes[index] == UInt8(ascii: "_") || (bytes[index] | 0x20 >= UInt8(ascii: "a") && bytes[index] | 0x20 <= UInt8(ascii: "z"))
                        || (bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9"))
                {
                    index += 1
                }
                tokens.append(Token(kind: .name(String(decoding: bytes[start..<index], as: UTF8.self)), line: line))
            case UInt8(ascii: "="):
                if peek(1) == UInt8(ascii: "=") {
                    tokens.append(Token(kind: .other, line: line))
                    index += 2
                } else {
                    tokens.append(Token(kind: .symbol("="), line: line))
                    index += 1
                }
            case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["),
                UInt8(ascii: "]"), UInt8(ascii: ","), UInt8(ascii: ";"):
                tokens.append(Token(kind: .symbol(Character(Unicode.Scalar(byte))), line: line))
                index += 1
            case UInt8(ascii: "~"), UInt8(ascii: "<"), UInt8(ascii: ">"):
                // `~=`, `<=`, `>=` are comparisons, not assignments.
                tokens.append(Token(kind: .other, line: line))
                index += peek(1) == UInt8(ascii: "=") ? 2 : 1
            default:
                tokens.append(Token(kind: .other, line: line))
                index += 1
            }
        }
        return tokens
    }
}
