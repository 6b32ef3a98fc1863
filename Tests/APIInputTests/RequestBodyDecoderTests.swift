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

    @Test("an exposure names a well-formed experiment id and nothing else")
    func exposure() throws {
        #expect(try Self.decode(NewExposure.self, #"{"experiment_id": "feed-affinity-weight"}"#).experimentID == "feed-affinity-weight")
        #expect(try Self.decode(NewExposure.self, "{\"experiment_id\": \"\(String(repeating: "a", count: 64))\"}").experimentID.count == 64)
        let idRule = "must be an experiment id: 1 to 64 lowercase letters, digits or dashes, not starting with a dash"
        for id in ["", "-feed", "Feed", "feed weight", "feed\\u0000", "feed\\n", "caf\\u00e9", String(repeating: "a", count: 65)] {
            #expect(throws: RequestBodyError.invalidField("experiment_id", why: idRule), "\(id)") {
                try Self.decode(NewExposure.self, #"{"experiment_id": "\#(id)"}"#)
            }
        }
        #expect(throws: RequestBodyError.unknownField("variant", known: ["experiment_id"])) {
            try Self.decode(NewExposure.self, #"{"experiment_id": "feed-affinity-weight", "variant": "treatment"}"#)
        }
        // Of several unknown keys the first in sort order is named, whatever the text's order.
        #expect(throws: RequestBodyError.unknownField("a", known: ["experiment_id"])) {
            try Self.decode(NewExposure.self, #"{"z": 1, "experiment_id": "x", "a": 2}"#)
        }
        #expect(throws: RequestBodyError.missingField("experiment_id")) { try Self.decode(NewExposure.self, "{}") }
        #expect(throws: RequestBodyError.invalidField("experiment_id", why: "has the wrong type or value")) {
            try Self.decode(NewExposure.self, #"{"experiment_id": 7}"#)
        }
        #expect(throws: RequestBodyError.invalidField("experiment_id", why: "must not be null")) {
            try Self.decode(NewExposure.self, #"{"experiment_id": null}"#)
        }
        #expect(throws: RequestBodyError.notAnObject) { try Self.decode(NewExposure.self, #"["feed-affinity-weight"]"#) }
        #expect(throws: RequestBodyError.self) { try Self.decode(NewExposure.self, #"{"experiment_id": "a", "experiment_id": "b"}"#) }
    }

    @Test("a client's unknown key is shown back with its control characters escaped and its length bounded")
    func unknownKeyMessage() {
        let error = RequestBodyError.unknownField("bell\u{07}" + String(repeating: "k", count: 200), known: ["experiment_id"])
        #expect(error.message == "unknown field 'bell\\u{7}\(String(repeating: "k", count: 59))' (known: experiment_id)")
        #expect(error.code == "invalid_request")
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
