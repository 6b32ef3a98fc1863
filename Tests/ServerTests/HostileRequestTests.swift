import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import Server

/// Requests an attacker would send: each gets a specific 4xx, and the process keeps serving.
@Suite("hostile requests")
struct HostileRequestTests {
    /// Well-formed cursors (version 1, zigzag varints) whose session time is Int64.min and
    /// Int64.max: the first once made `FeedRequest` overflow and killed the process.
    static let minimumTimeCursor = "Af___________wECAAAAAAAAAAACAAA"
    static let maximumTimeCursor = "Af7__________wECAAAAAAAAAAACAAA"

    @Test("a crafted feed cursor is 400 invalid_cursor, and the server goes on answering")
    func craftedCursor() async throws {
        let fixture = try APIFixture()
        let reader = try await fixture.token(3)
        try await fixture.app().test(.router) { client in
            for cursor in [Self.minimumTimeCursor, Self.maximumTimeCursor] {
                let response = try await client.call(.get, "/v1/circles/nearby/feed?cursor=\(cursor)", token: reader)
                #expect(response.status == .badRequest)
                #expect(try response.errorCode() == "invalid_cursor")
            }
            #expect(try await client.call(.get, "/v1/circles/nearby/feed", token: reader).status == .ok)
        }
    }

    @Test("query parameters outside what the API documents are refused")
    func queryParameters() async throws {
        let fixture = try APIFixture()
        let reader = try await fixture.token(3)
        try await fixture.app().test(.router) { client in
            for query in ["cursor=", "explain=yes", "explain=", "limit=0", "limit=abc", "limit=99999999999999999999"] {
                let response = try await client.call(.get, "/v1/circles/nearby/feed?\(query)", token: reader)
                #expect(response.status == .badRequest, "\(query)")
            }
            for query in ["explain=0", "explain=false", "explain=true", "explain=1"] {
                #expect(try await client.call(.get, "/v1/circles/nearby/feed?\(query)", token: reader).status == .ok, "\(query)")
            }
            #expect(try await client.call(.get, "/v1/wallet/history?cursor=", token: reader).status == .badRequest)
        }
    }

    @Test("a JSON body naming a key twice is 400 duplicate_key, and nothing moves")
    func duplicateKeys() async throws {
        let fixture = try APIFixture()
        let payer = try await fixture.token(2)
        try fixture.user(3)
        try await fixture.fund(2, fen: 10_000)
        try await fixture.app().test(.router) { client in
            let response = try await client.call(
                .post, "/v1/wallet/transfers", token: payer, json: #"{"to_user_id": 3, "amount_fen": 1, "amount_fen": 9000}"#, key: "dup-1")
            #expect(response.status == .badRequest)
            #expect(try response.errorCode() == "duplicate_key")
        }
        #expect(try fixture.service.balanceFen(of: UserID(2)) == 10_000)
    }

    @Test("a body that does not say it is JSON is 415, on money routes too")
    func contentType() async throws {
        let fixture = try APIFixture()
        let payer = try await fixture.token(2)
        _ = try await fixture.token(3)  // opens user 3's wallet account
        try await fixture.fund(2, fen: 10_000)
        try await fixture.app().test(.router) { client in
            for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", nil] {
                var headers: HTTPFields = [.authorization: "Bearer \(payer)", HTTPField.Name("Idempotency-Key")!: "ct-\(type ?? "none")"]
                if let type { headers[.contentType] = type }
                let response = try await client.executeRequest(
                    uri: "/v1/wallet/transfers", method: .post, headers: headers, body: ByteBuffer(string: #"{"to_user_id": 3, "amount_fen": 100}"#))
                #expect(response.status == .unsupportedMediaType, "\(type ?? "none")")
                #expect(try response.errorCode() == "unsupported_media_type")
            }
            for type in ["application/json; charset=utf-8", "Application/JSON", "application/merge-patch+json"] {
                let response = try await client.executeRequest(
                    uri: "/v1/wallet/transfers", method: .post,
                    headers: [.authorization: "Bearer \(payer)", HTTPField.Name("Idempotency-Key")!: "ok-\(type)", .contentType: type],
                    body: ByteBuffer(string: #"{"to_user_id": 3, "amount_fen": 100}"#))
                #expect(response.status == .created, "\(type)")
            }
        }
        #expect(try fixture.service.balanceFen(of: UserID(2)) == 10_000 - 300)
    }

    @Test("text with a NUL or another control character is 422 invalid_text and nothing is stored")
    func controlCharacters() async throws {
        let fixture = try APIFixture()
        let author = try await fixture.token(2)
        let admin = try await fixture.token(1, admin: true)
        let post = try fixture.service.createPost(by: UserID(2), in: CircleID("nearby"), body: "a clean post")
        try await fixture.app().test(.router) { client in
            for text in ["\\u0000leading NUL", "cut\\u0000short", "bell\\u0007", "escape \\u001b[2J", "c1 \\u0085", "del \\u007f"] {
                for (path, body) in [
                    ("/v1/circles/nearby/posts", #"{"body": "\#(text)"}"#), ("/v1/posts/\(post.id)/comments", #"{"body": "\#(text)"}"#),
                    ("/v1/posts/\(post.id)/reports", #"{"reason": "\#(text)"}"#),
                ] {
                    let response = try await client.call(.post, path, token: author, json: body)
                    #expect(response.status == .unprocessableContent, "\(path) \(text)")
                    #expect(try response.errorCode() == "invalid_text", "\(path) \(text)")
                }
                let stop = try await client.call(.post, "/v1/experiments/campus-comment-credit/stop", token: admin, json: #"{"reason": "\#(text)"}"#)
                #expect(stop.status == .unprocessableContent)
                let ship = try await client.call(
                    .post, "/v1/experiments/campus-comment-credit/ship", token: admin, json: #"{"variant": "treatment", "reason": "\#(text)"}"#)
                #expect(ship.status == .unprocessableContent)
                #expect(try ship.errorCode() == "invalid_text", "ship reason \(text)")
            }
            // A malformed ship body is a 4xx with a specific code, and ships nothing.
            for body in [#"{"variant": "treatment""#, #"{"reason": "no variant"}"#, #"{"variant": 7}"#, #"{"variant": null}"#, #"[]"#,
                         #"{"variant": "treatment", "extra": 1e999}"#] {
                let response = try await client.call(.post, "/v1/experiments/campus-comment-credit/ship", token: admin, json: body)
                #expect((400..<500).contains(response.status.code), "\(body)")
                #expect(try response.errorCode() != nil, "\(body)")
            }
            // Newline and tab are text.
            let fine = try await client.call(.post, "/v1/posts/\(post.id)/comments", token: author, json: #"{"body": "line one\nline\ttwo"}"#)
            #expect(fine.status == .created)
        }
        let comments = try fixture.service.posts.comments(on: post.id, afterID: 0, limit: 10)
        #expect(comments.map { $0.body } == ["line one\nline\ttwo"])
        #expect(try fixture.service.experiments.store.allChanges().isEmpty)
    }

    @Test("a known path with another method is 405 with Allow; an unknown path stays 404")
    func methodNotAllowed() async throws {
        let fixture = try APIFixture()
        let reader = try await fixture.token(3)
        try await fixture.app().test(.router) { client in
            let put = try await client.call(.put, "/v1/wallet/transfers", token: reader)
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "POST")
            #expect(try put.errorCode() == "method_not_allowed")
            let patch = try await client.call(.patch, "/v1/posts/7", token: reader)
            #expect(patch.headers[.allow] == "DELETE, GET")
            let unknown = try await client.call(.get, "/v1/nowhere", token: reader)
            #expect(unknown.status == .notFound)
            #expect(try unknown.errorCode() == "route_not_found")
        }
    }
}

@Suite("documented routes")
struct DocumentedRoutesTests {
    @Test("a literal path segment wins over a parameter, as in the router")
    func literalWins() {
        #expect(DocumentedRoutes.methods(forPath: "/v1/friends/suggestions") == ["GET"])
        #expect(DocumentedRoutes.methods(forPath: "/v1/friends/42") == ["DELETE"])
        #expect(DocumentedRoutes.methods(forPath: "/v1/nowhere").isEmpty)
    }

    @Test("the documented text pattern accepts and refuses what UserText does")
    func textPatternAgreesWithUserText() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let pattern = try #require(((schemas["NewComment"] as? [String: Any])?["properties"] as? [String: Any]).flatMap { ($0["body"] as? [String: Any])?["pattern"] as? String })
        let regex = try NSRegularExpression(pattern: pattern)
        var samples = ["ok", " x ", "line\nline", "tab\there", "楼下", "😀", " ", "\n\t", "", "\u{00A0}", "\u{3000}x", "x\u{2028}y"]
        for value in Array(0x00...0x20) + Array(0x7F...0xA0) { samples += ["a\(Unicode.Scalar(value)!)b", "\(Unicode.Scalar(value)!)"] }
        for text in samples {
            let schemaAccepts = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            let ruleAccepts = (try? UserText.check(text, maxBytes: 100, what: "text")) != nil
            #expect(schemaAccepts == ruleAccepts, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }
}
