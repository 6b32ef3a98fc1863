import APIInput
import Testing

@Suite("request body decoder")
struct RequestBodyDecoderTests {
    static func decode<Body: Decodable>(_ type: Body.Type, _ text: String) throws(RequestBodyError) -> Body {
        try RequestBodyDecoder.decode(type, from: Array(text.utf8))
    }

    @Test("a transfer decodes, and a second amount_fen is refused instead of one silently winning")
    func transfer() throws {
        let transfer = try Self.decode(NewTransfer.self, #"{"to_user_id": 3, "amount_fen": 500}"#)
        #expect(transfer.toUserID == 3 && transfer.amountFen == 500)
        #expect(throws: RequestBodyError.duplicateKey("amount_fen", byteOffset: 35)) {
            try Self.decode(NewTransfer.self, #"{"to_user_id": 3, "amount_fen": 1, "amount_fen": 100000}"#)
        }
    }

    @Test("wrong shapes name the field, in the API's words")
    func shapes() {
        #expect(throws: RequestBodyError.missingField("amount_fen")) { try Self.decode(NewTip.self, "{}") }
        #expect(throws: RequestBodyError.invalidField("amount_fen", why: "has the wrong type or value")) {
            try Self.decode(NewTip.self, #"{"amount_fen": "5"}"#)
        }
        #expect(throws: RequestBodyError.numberDoesNotFit) { try Self.decode(NewTip.self, #"{"amount_fen": 99999999999999999999}"#) }
        #expect(throws: RequestBodyError.numberDoesNotFit) { try Self.decode(NewTip.self, #"{"amount_fen": 1.5}"#) }
        #expect(throws: RequestBodyError.invalidField("amount_fen", why: "must not be null")) {
            try Self.decode(NewTip.self, #"{"amount_fen": null}"#)
        }
        #expect(throws: RequestBodyError.invalidField("audience.user_ids.1", why: "has the wrong type or value")) {
            try Self.decode(NewRedPacket.self, #"{"split": "fixed", "total_fen": 10, "share_count": 1, "audience": {"kind": "users", "user_ids": [1, "x"]}}"#)
        }
        #expect(throws: RequestBodyError.self) { try Self.decode(NewPost.self, #"{"kind": "hologram", "body": "x"}"#) }
    }

    @Test("every failure is a RequestBodyError with a stable code")
    func codes() {
        for text in ["", "{", "[1]", #"{"body": 1}"#, #"{"body": "a", "body": "b"}"#] {
            do {
                _ = try Self.decode(NewComment.self, text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(["malformed_json", "duplicate_key", "invalid_request"].contains(error.code), "\(text)")
            }
        }
    }
}
