import Foundation

/// Why a request body was refused before any handler saw it; the API answers each with 400 and
/// `code`. Stable codes: clients switch on them.
public enum RequestBodyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Not one RFC 8259 JSON text (the detail says what and at which byte).
    case malformedJSON(String)
    /// An object names the same key twice.
    case duplicateKey(String, byteOffset: Int)
    /// A required field is absent.
    case missingField(String)
    /// A field has the wrong type or a value out of its range.
    case invalidField(String, why: String)
    /// A key the body's type does not have (only bodies that refuse them: see
    /// ``RequestBodyDecoder/refuseUnknownKeys(in:known:)``).
    case unknownField(String, known: [String])
    /// Valid JSON, but not an object of the route's shape (an array, a number…).
    case notAnObject
    /// A number that its field cannot hold (a fraction for an id, past 64 bits). Foundation's
    /// decoder reports it without the field's path.
    case numberDoesNotFit

    public var code: String {
        switch self {
        case .malformedJSON: "malformed_json"
        case .duplicateKey: "duplicate_key"
        case .missingField, .invalidField, .unknownField, .notAnObject, .numberDoesNotFit: "invalid_request"
        }
    }

    public var message: String {
        switch self {
        case .malformedJSON(let detail): "the body is not valid JSON: \(detail)"
        case .duplicateKey(let key, let offset): "the body names the key '\(Self.printable(key))' twice (at byte \(offset))"
        case .missingField(let path): "missing field '\(path)'"
        case .invalidField(let path, let why): "field '\(path)' \(why)"
        case .unknownField(let key, let known): "unknown field '\(Self.printable(key))' (known: \(known.joined(separator: ", ")))"
        case .notAnObject: "the body must be a JSON object"
        case .numberDoesNotFit: "a number in the body does not fit its field: amounts, ids and counts are whole numbers within 64 bits"
        }
    }

    public var description: String { "\(code): \(message)" }

    /// `DecodingError` in the API's words: the field's dotted path, never Swift type names. The
    /// text already passed `StrictJSON`, so a "corrupted" body is a number its field cannot hold.
    init(decoding error: DecodingError) {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            self = .numberDoesNotFit
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            self = .notAnObject
        case .keyNotFound(let key, let context):
            self = .missingField(Self.path(context.codingPath + [key]))
        case .valueNotFound(_, let context):
            self = .invalidField(Self.path(context.codingPath), why: "must not be null")
        case .typeMismatch(_, let context), .dataCorrupted(let context):
            self = .invalidField(Self.path(context.codingPath), why: "has the wrong type or value")
        @unknown default:
            self = .malformedJSON("it does not match the request schema")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    /// A client's key shown back in a message: control characters escaped, length bounded.
    private static func printable(_ key: String) -> String {
        var shown = ""
        for scalar in key.unicodeScalars.prefix(64) {
            shown += scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }
        return shown
    }
}

/// Decodes request bodies: strictly valid JSON first (`StrictJSON`), then the body's type.
public enum RequestBodyDecoder {
    /// Bodies name their snake_case keys in `CodingKeys`.
    static let decoder = JSONDecoder()

    /// Every failure is a `RequestBodyError`; nothing else escapes.
    public static func decode<Body: Decodable>(_ type: Body.Type, from bytes: [UInt8]) throws(RequestBodyError) -> Body {
        try StrictJSON.validate(bytes)
        do {
            return try decoder.decode(Body.self, from: Data(bytes))
        } catch let error as RequestBodyError {
            throw error
        } catch let error as DecodingError {
            throw RequestBodyError(decoding: error)
        } catch {
            throw .malformedJSON("it does not decode")
        }
    }

    /// For a body's `init(from:)`: refuses an object with a key outside `known` (of several, the
    /// first in sort order is named, so the answer does not vary). Anything but an object is left
    /// to the body's own decoding.
    public static func refuseUnknownKeys<Key: CodingKey>(in decoder: any Decoder, known: [Key]) throws {
        guard let object = try? decoder.container(keyedBy: AnyKey.self) else { return }
        let names = Set(known.map(\.stringValue))
        if let unknown = object.allKeys.map(\.stringValue).filter({ !names.contains($0) }).min() {
            throw RequestBodyError.unknownField(unknown, known: known.map(\.stringValue))
        }
    }

    /// Any key, to list every key an object has.
    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
