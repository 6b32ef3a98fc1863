import APIInput
import Foundation
import PropertyBased
import Testing

@Suite("strict JSON")
struct StrictJSONTests {
    static func accepts(_ text: String) -> Bool {
        (try? StrictJSON.validate(Array(text.utf8))) != nil
    }

    @Test("a key named twice is refused, also when one spelling is escaped")
    func duplicateKeys() {
        for text in [
            #"{"amount_fen": 1, "amount_fen": 100000}"#, #"{"a": 1, "\u0061": 2}"#,
            #"{"outer": {"k": 1, "k": 2}}"#, #"[{"x": 1}, {"y": 1, "y": 1}]"#,
        ] {
            #expect(throws: RequestBodyError.self, "\(text)") { try StrictJSON.validate(Array(text.utf8)) }
        }
        #expect(Self.accepts(#"{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}"#), "the same key in different objects is fine")
    }

    @Test("the duplicate key is named in the error")
    func duplicateNamed() throws {
        do {
            try StrictJSON.validate(Array(#"{"to_user_id": 2, "to_user_id": 3}"#.utf8))
            Issue.record("accepted a duplicate key")
        } catch {
            #expect(error.code == "duplicate_key")
            #expect(error.message.contains("'to_user_id'"))
        }
    }

    @Test("what RFC 8259 refuses is refused")
    func malformed() {
        for text in [
            "", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul",
            "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\uD800\"", "\"\\uDC00\"", "\"a\u{01}b\"", "{} {}", "[1] x", "NaN", "'a'",
            "{\"a\":1 \"b\":2}", "1e400", "-1e309", "[1E+999]",
        ] {
            #expect(!Self.accepts(text), "\(text.debugDescription)")
        }
        for bytes: [UInt8] in [[0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xFF, 0x22], [0x22, 0xE4, 0xB8, 0x22]] {
            #expect((try? StrictJSON.validate(bytes)) == nil, "invalid UTF-8 \(bytes)")
        }
    }

    @Test("ordinary bodies pass")
    func valid() {
        for text in [
            #"{"to_user_id": 3, "amount_fen": 500}"#, #"{"body": "好 \"quoted\" \n \u00e9 \ud83d\ude00"}"#, "[]", "{}", "0", "-0.5e+10",
            #"{"split": "lucky", "audience": {"kind": "users", "user_ids": [1, 2, 3]}}"#, "\t\r\n{ }\n", "true", "null",
        ] {
            #expect(Self.accepts(text), "\(text)")
        }
    }

    @Test("nesting deeper than the bound is refused without exhausting the stack")
    func deepNesting() {
        #expect(Self.accepts(String(repeating: "[", count: StrictJSON.depthMax) + String(repeating: "]", count: StrictJSON.depthMax)))
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(!Self.accepts(deep))
    }

    @Test("whatever it accepts, Foundation's parser accepts too")
    func agreesWithFoundation() async {
        let alphabet = Array("{}[]\":,-0123456789.eE+tfnrulas \\u00ab\n".utf8)
        await propertyCheck(count: 3000, input: Gen.int(in: 0...alphabet.count - 1).array(of: 0...24)) { indices in
            let bytes = indices.map { alphabet[$0] }
            if (try? StrictJSON.validate(bytes)) != nil {
                #expect((try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)) != nil, "\(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }
}
