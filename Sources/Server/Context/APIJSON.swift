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

    /// Request bodies name their snake_case keys in `CodingKeys`: a key strategy would turn
    /// `to_user_id` into `toUserId`, which no Swift name here matches.
    static let decoder = JSONDecoder()
}

extension Request {
    /// Decodes the JSON body as `type`, refusing bodies over the context's limit (413), bodies
    /// that are not JSON (400 `malformed_json`) and JSON of the wrong shape (400 `invalid_request`).
    func decodeJSON<Body: Decodable>(as type: Body.Type, context: QuanziRequestContext) async throws -> Body {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        do {
            return try APIJSON.decoder.decode(Body.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw APIError(decoding: error)
        }
    }
}
