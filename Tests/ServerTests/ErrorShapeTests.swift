import Core
import Foundation
import HummingbirdTesting
import Ledger
import Testing

@testable import Server

@Suite("one error shape and the right status for every failure")
struct ErrorShapeTests {
    @Test("a body that is not JSON is 400 malformed_json")
    func malformedJSON() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            let response = try await client.call(.post, "/v1/friends/requests", token: token, json: "{\"to_user_id\": ")
            #expect(response.status == .badRequest)
            #expect(try response.errorCode() == "malformed_json")
        }
    }

    @Test("a missing or mistyped field is 400 invalid_request naming the field")
    func invalidFields() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            let missing = try await client.call(.post, "/v1/friends/requests", token: token, json: "{}")
            #expect(missing.status == .badRequest)
            #expect(try missing.errorCode() == "invalid_request")
            #expect(try field(missing.object()["error"] as! [String: Any], "message", as: String.self).contains("to_user_id"))
            let mistyped = try await client.call(.post, "/v1/friends/requests", token: token, json: #"{"to_user_id": "three"}"#)
            #expect(mistyped.status == .badRequest)
            #expect(try mistyped.errorCode() == "invalid_request")
        }
    }

    @Test("a body over 64 KiB is 413 body_too_large")
    func bodyTooLarge() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            let huge = #"{"body": ""# + String(repeating: "x", count: ServerLimits.requestBodyBytesMax) + #""}"#
            let response = try await client.call(.post, "/v1/circles/campus-diary/posts", token: token, json: huge)
            #expect(response.status == .contentTooLarge)
            #expect(try response.errorCode() == "body_too_large")
        }
    }

    @Test("an unknown route is 404 route_not_found, a non-numeric id 400")
    func routing() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        try await fixture.app().test(.router) { client in
            let unknown = try await client.call(.get, "/v1/nothing-here", token: token)
            #expect(unknown.status == .notFound)
            #expect(try unknown.errorCode() == "route_not_found")
            let public404 = try await client.call(.get, "/nothing")
            #expect(try public404.errorCode() == "route_not_found")
            let badID = try await client.call(.get, "/v1/posts/abc", token: token)
            #expect(badID.status == .badRequest)
            #expect(try badID.errorCode() == "invalid_request")
        }
    }

    @Test("every domain code maps to a client status except real server faults")
    func statusMapping() {
        for code in QuanziError.Code.allCases {
            let status = APIError.status(of: code).code
            let fault: Set<QuanziError.Code> = [
                .storageFailure, .scriptError, .instructionLimitExceeded, .memoryLimitExceeded, .timeLimitExceeded, .invalidPlugin,
                .overloaded,
            ]
            #expect((status >= 500) == fault.contains(code), "\(code) → \(status)")
        }
        #expect(APIError.status(of: QuanziError.Code.ruleDenied) == .forbidden)
        #expect(APIError.status(of: QuanziError.Code.overloaded) == .serviceUnavailable, "overload is 503: retry later")
        #expect(APIError.status(of: QuanziError.Code.postNotFound) == .notFound)
        #expect(APIError.status(of: QuanziError.Code.contentTooLong) == .unprocessableContent)
        for error in LedgerError.allCases { #expect(APIError.status(of: error).code < 500, "\(error)") }
        #expect(APIError.status(of: LedgerError.idempotencyKeyReused) == .conflict)
        #expect(APIError.status(of: LedgerError.insufficientFunds) == .unprocessableContent)
    }

    @Test("a server fault's message does not leak its cause")
    func faultMessage() throws {
        let error = APIError(QuanziError(.storageFailure, "storage failure: SQLite error 19: UNIQUE constraint failed: secret_table"))
        #expect(error.status == .internalServerError)
        #expect(error.code == "storage_failure")
        #expect(!error.message.contains("secret_table"))
    }
}
