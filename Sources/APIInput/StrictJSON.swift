/// A validating pass over a request body before `JSONDecoder` sees it: the body must be one
/// RFC 8259 JSON text, with no object naming a key twice and nesting at most `depthMax` deep.
///
/// Written by hand because no decoder at hand refuses duplicate keys: Foundation's `JSONDecoder`
/// and `JSONSerialization` keep one of the values silently, so `{"amount_fen":1,"amount_fen":
/// 100000}` meant whatever the decoder happened to pick while a proxy or log that reads the
/// other one saw a different request. Keys are compared after unescaping (`"a"` and `"\u0061"`
/// are the same key).
public enum StrictJSON {
    /// Request bodies are flat records; anything deeper is not one of ours (and deep nesting is
    /// how a recursive decoder is made to exhaust its stack).
    public static let depthMax = 32

    /// Throws `RequestBodyError` (`malformed_json` or `duplicate_key`) unless `bytes` is valid.
    public static func validate(_ bytes: some Collection<UInt8>) throws(RequestBodyError) {
        let array = Array(bytes)
        try array.withUnsafeBufferPointer { buffer throws(RequestBodyError) in
            var scanner = Scanner(bytes: buffer)
            scanner.skipWhitespace()
            try scanner.value(depth: 0)
            scanner.skipWhitespace()
            guard scanner.position == buffer.count else { throw scanner.malformed("unexpected text after the JSON value") }
        }
    }

    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        func malformed(_ why: String) -> RequestBodyError { .malformedJSON("\(why) at byte \(position)") }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
        }

        mutating func expect(_ literal: StaticString) throws(RequestBodyError) {
            let count = literal.utf8CodeUnitCount
            guard position + count <= bytes.count else { throw malformed("truncated literal") }
            for offset in 0..<count where bytes[position + offset] != literal.utf8Start[offset] {
                throw malformed("unknown literal")
            }
            position += count
        }

        mutating func value(depth: Int) throws(RequestBodyError) {
            guard let byte = current else { throw malformed("expected a value") }
            switch byte {
            case UInt8(ascii: "{"): try object(depth: depth + 1)
            case UInt8(ascii: "["): try array(depth: depth + 1)
            case UInt8(ascii: "\""): _ = try string(keepingBytes: false)
            case UInt8(ascii: "t"): try expect("true")
            case UInt8(ascii: "f"): try expect("false")
            case UInt8(ascii: "n"): try expect("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw malformed("expected a value")
            }
        }

        mutating func object(depth: Int) throws(RequestBodyError) {
            guard depth <= StrictJSON.depthMax else { throw malformed("nested deeper than \(StrictJSON.depthMax)") }
            position += 1  // {
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                position += 1
                return
            }
            var keys: Set<[UInt8]> = []
            while true {
                guard current == UInt8(ascii: "\"") else { throw malformed("expected a key") }
                let keyStart = position
                let key = try string(keepingBytes: true)
                guard keys.insert(key).inserted else {
                    throw .duplicateKey(String(decoding: key, as: UTF8.self), byteOffset: keyStart)
                }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw malformed("expected ':'") }
                position += 1
                skipWhitespace()
                try value(depth: depth)
                guard try another(closing: UInt8(ascii: "}")) else { return }
            }
        }

        mutating func array(depth: Int) throws(RequestBodyError) {
            guard depth <= StrictJSON.depthMax else { throw malformed("nested deeper than \(StrictJSON.depthMax)") }
            position += 1  // [
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                position += 1
                return
            }
            while true {
                try value(depth: depth)
                guard try another(closing: UInt8(ascii: "]")) else { return }
            }
        }

        /// After a member: true past a ',' (another member follows), false past `closing`.
        mutating func another(closing: UInt8) throws(RequestBodyError) -> Bool {
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
                return true
            case closing:
                position += 1
                return false
            default:
                throw malformed("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
            }
        }

        mutating func digits() -> Int {
            let start = position
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
            return position - start
        }

        /// RFC 8259's number grammar, within this implementation's limit (it allows one): the
        /// magnitude must fit a Double, as Foundation's decoder requires (`1e400` is refused).
        mutating func number() throws(RequestBodyError) {
            let start = position
            try numberGrammar()
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            guard let value = Double(text), value.isFinite else { throw malformed("number out of range") }
        }

        mutating func numberGrammar() throws(RequestBodyError) {
            if current == UInt8(ascii: "-") { position += 1 }
            if current == UInt8(ascii: "0") {
                position += 1
            } else {
                guard digits() > 0 else { throw malformed("expected digits") }
            }
            if current == UInt8(ascii: ".") {
                position += 1
                guard digits() > 0 else { throw malformed("expected digits after '.'") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard digits() > 0 else { throw malformed("expected exponent digits") }
            }
        }

        /// Reads a string; returns its unescaped UTF-8 when `keepingBytes` (object keys).
        mutating func string(keepingBytes: Bool) throws(RequestBodyError) -> [UInt8] {
            position += 1  // opening quote
            var decoded: [UInt8] = []
            while true {
                guard let byte = current else { throw malformed("unterminated string") }
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    return decoded
                case UInt8(ascii: "\\"):
                    position += 1
                    try escape(into: &decoded, keeping: keepingBytes)
                case 0x00..<0x20:
                    throw malformed("unescaped control character in a string")
                case 0x00..<0x80:
                    if keepingBytes { decoded.append(byte) }
                    position += 1
                default:
                    try utf8Sequence(into: &decoded, keeping: keepingBytes)
                }
            }
        }

        mutating func escape(into decoded: inout [UInt8], keeping: Bool) throws(RequestBodyError) {
            guard let byte = current else { throw malformed("unterminated escape") }
            position += 1
            let simple: UInt8? =
                switch byte {
                case UInt8(ascii: "\""): 0x22
                case UInt8(ascii: "\\"): 0x5C
                case UInt8(ascii: "/"): 0x2F
                case UInt8(ascii: "b"): 0x08
                case UInt8(ascii: "f"): 0x0C
                case UInt8(ascii: "n"): 0x0A
                case UInt8(ascii: "r"): 0x0D
                case UInt8(ascii: "t"): 0x09
                default: nil
                }
            if let simple {
                if keeping { decoded.append(simple) }
                return
            }
            guard byte == UInt8(ascii: "u") else { throw malformed("unknown escape") }
            var scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw malformed("lone surrogate in \\u escape")
                }
                position += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw malformed("lone surrogate in \\u escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw malformed("lone surrogate in \\u escape")
            }
            if keeping, let unicode = Unicode.Scalar(scalar) { decoded.append(contentsOf: Array(String(Character(unicode)).utf8)) }
        }

        mutating func hex4() throws(RequestBodyError) -> UInt32 {
            guard position + 4 <= bytes.count else { throw malformed("truncated \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw malformed("bad hex digit in \\u escape")
                }
                value = value << 4 | digit
                position += 1
            }
            return value
        }

        /// One multi-byte UTF-8 sequence, checked as RFC 3629 says (no overlongs, no surrogates,
        /// nothing past U+10FFFF).
        mutating func utf8Sequence(into decoded: inout [UInt8], keeping: Bool) throws(RequestBodyError) {
            let lead = bytes[position]
            let (length, lowest): (Int, UInt32) =
                switch lead {
                case 0xC2...0xDF: (2, 0x80)
                case 0xE0...0xEF: (3, 0x800)
                case 0xF0...0xF4: (4, 0x10000)
                default: (0, 0)
                }
            guard length > 0, position + length <= bytes.count else { throw malformed("invalid UTF-8") }
            var scalar = UInt32(lead) & (0xFF >> (length + 1))
            for offset in 1..<length {
                let next = bytes[position + offset]
                guard next & 0xC0 == 0x80 else { throw malformed("invalid UTF-8") }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            guard scalar >= lowest, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { throw malformed("invalid UTF-8") }
            if keeping { decoded.append(contentsOf: bytes[position..<position + length]) }
            position += length
        }
    }
}
