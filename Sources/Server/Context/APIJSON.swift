import APIInput
import Foundation
import Hummingbird

/// The API's JSON conventions: snake_case keys, integer money in fen, times in epoch seconds.
enum APIJSON {
    /// Every view names its snake_case keys in `CodingKeys`: `.convertToSnakeCase` rewrote each
    /// key of every response and was a third of the feed's encoding time.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        // Stable key order: an idempotent replay returns byte-identical bodies.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

}

extension Request {
    /// Decodes the JSON body as `type`: refused with 415 unless the request says it is JSON,
    /// 413 past the context's limit, 400 `malformed_json` / `duplicate_key` unless it is one
    /// strictly valid JSON text, 400 `invalid_request` for the wrong shape (`RequestBodyDecoder`).
    func decodeJSON<Body: Decodable>(as type: Body.Type, context: QuanziRequestContext) async throws -> Body {
        try requireJSONContentType()
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        return try RequestBodyDecoder.decode(Body.self, from: Array(buffer: buffer))
    }

    /// A body's media type must be `application/json` or a `+json` type (parameters such as
    /// `charset` allowed): a form or text body on a money route is a client bug or a cross-site
    /// form post, never a request to act on.
    func requireJSONContentType() throws {
        guard let value = headers[.contentType] else { throw APIError.unsupportedMediaType(nil) }
        let mediaType = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json")) else {
            throw APIError.unsupportedMediaType(value)
        }
    }
}
