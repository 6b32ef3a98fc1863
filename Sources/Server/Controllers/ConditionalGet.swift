import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// A GET whose body a client may already hold: a strong ETag computed from the body's bytes, so
/// equal bodies have equal tags on every node, and 304 with no body when `If-None-Match` names
/// it (RFC 9110 §13.1.2).
enum ConditionalGet {
    /// How much of the body's SHA-256 the tag keeps: 128 bits, so two different bodies sharing a
    /// tag (and a client keeping a stale body) is not a chance worth counting.
    static let tagBytes = 16

    /// `"…"`: the first `tagBytes` of the body's SHA-256 in hex.
    static func entityTag(of body: [UInt8]) -> String {
        let hex = SHA256.hash(data: body).prefix(tagBytes).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }
        return "\"" + hex.joined() + "\""
    }

    /// 200 with the JSON `body`, or 304 without it when the request's `If-None-Match` names its
    /// tag. Both carry the tag and `cacheControl` (a 304 must repeat what the 200 would send).
    static func response(json body: [UInt8], request: Request, cacheControl: String) -> Response {
        let tag = entityTag(of: body)
        var headers: HTTPFields = [.eTag: tag, .cacheControl: cacheControl]
        if ifNoneMatch(request.headers[values: .ifNoneMatch], matches: tag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Whether `If-None-Match` field values name `tag` or are `*`, comparing weakly (`W/"x"`
    /// matches `"x"`), as a GET's `If-None-Match` is compared. A list that stops parsing matches
    /// nothing from there on: answering in full is always safe.
    static func ifNoneMatch(_ values: [String], matches tag: String) -> Bool {
        values.contains { value in
            if value.trimmingCharacters(in: Self.optionalWhiteSpace) == "*" { return true }
            return listedTags(in: value).contains { $0 == tag }
        }
    }

    /// Space and tab, which HTTP allows around a field value and between list elements.
    private static let optionalWhiteSpace = CharacterSet(charactersIn: " \t")

    /// The opaque tags (quotes included, `W/` dropped) of one `#entity-tag` field value, up to the
    /// first element that is not one.
    static func listedTags(in value: String) -> [Substring] {
        var tags: [Substring] = []
        var rest = Substring(value)
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," }
            guard !rest.isEmpty else { return tags }
            if rest.hasPrefix("W/") { rest = rest.dropFirst(2) }
            guard rest.first == "\"", let close = rest.dropFirst().firstIndex(of: "\"") else { return tags }
            tags.append(rest[...close])
            rest = rest[rest.index(after: close)...]
            // Tags are separated by a comma (and optional white space); anything else ends the list.
            let separator = rest.drop { $0 == " " || $0 == "\t" }
            guard separator.isEmpty || separator.first == "," else { return tags }
            rest = separator
        }
    }
}
