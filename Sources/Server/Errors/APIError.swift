import APIInput
import Foundation
import Hummingbird

/// The one error shape of the API: `{"error":{"code":"...","message":"..."}}` with a status.
/// Every failure becomes one of these in `APIError.init(_:)`; handlers just throw.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var headers: HTTPFields = [:]
    /// Each problem behind the error, where there are several with a place (a refused reload's
    /// `file:line: message`s); nil for the rest.
    public var problems: [ErrorBody.Problem]?

    public init(_ status: HTTPResponse.Status, code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try APIJSON.encoder.encode(ErrorBody(error: .init(code: code, message: message, problems: problems)))
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    public struct ErrorBody: Codable {
        public struct Problem: Codable, Sendable, Hashable {
            public let file: String
            public let line: Int
            public let message: String
        }
        struct Detail: Codable {
            let code: String
            let message: String
            let problems: [Problem]?
        }
        let error: Detail
    }
}

// MARK: Errors the HTTP layer raises itself

extension APIError {
    static func unauthorized(_ message: String) -> APIError {
        var error = APIError(.unauthorized, code: "unauthorized", message)
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }

    /// Distinct from `unauthorized` so that a client knows to sign in again rather than report a
    /// bug; the header is RFC 6750's way of saying the same.
    static let tokenExpired: APIError = {
        var error = APIError(.unauthorized, code: "token_expired", "this token has expired; sign in again for a new one")
        error.headers[.wwwAuthenticate] = #"Bearer error="invalid_token", error_description="the token expired""#
        return error
    }()

    static let adminRequired = APIError(.forbidden, code: "admin_required", "this route needs an admin token")
    static let moderatorRequired = APIError(.forbidden, code: "moderator_required", "this route needs a moderator's or an admin's token")

    static func invalidRequest(_ message: String) -> APIError { APIError(.badRequest, code: "invalid_request", message) }

    static let idempotencyKeyRequired = APIError(
        .badRequest, code: "idempotency_key_required", "money requests need an Idempotency-Key header (1 to 128 bytes)")

    static func rateLimited(_ policy: RateLimitPolicy, retryAfterSeconds: Int) -> APIError {
        var error = APIError(
            .tooManyRequests, code: "rate_limited", "the '\(policy.name)' rate limit of this user is spent; retry in \(retryAfterSeconds) s")
        error.headers[.retryAfter] = String(retryAfterSeconds)
        return error
    }

    static let routeNotFoundCode = "route_not_found"

    static func methodNotAllowed(_ method: String, allowed: [String]) -> APIError {
        var error = APIError(
            .methodNotAllowed, code: "method_not_allowed", "\(method) is not allowed here; allowed: \(allowed.joined(separator: ", "))")
        error.headers[.allow] = allowed.joined(separator: ", ")
        return error
    }

    static func unsupportedMediaType(_ contentType: String?) -> APIError {
        let said = contentType.map { "'\(String($0.unicodeScalars.prefix(80).filter { $0.value >= 0x20 && $0.value != 0x7F }))'" } ?? "none"
        return APIError(.unsupportedMediaType, code: "unsupported_media_type", "the body must be JSON (Content-Type: application/json); got \(said)")
    }

    init(body error: RequestBodyError) {
        self.init(.badRequest, code: error.code, error.message)
    }
}
