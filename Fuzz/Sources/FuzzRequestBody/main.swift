// Feeds every request body decoder the API uses arbitrary bytes. The first byte picks the body
// type, the rest is the body. Every failure must be a `RequestBodyError` with a stable code (the
// decoder's signature already says so; a trap or a hang is what this looks for), and text that
// decodes goes through the one text rule as the service would apply it.
import APIInput
import Core

func decode<Body: Decodable>(_ type: Body.Type, _ bytes: [UInt8]) -> Body? {
    do {
        return try RequestBodyDecoder.decode(type, from: bytes)
    } catch {
        precondition(["malformed_json", "duplicate_key", "invalid_request"].contains(error.code), "\(error)")
        return nil
    }
}

func checkText(_ text: String?, what: String) {
    guard let text else { return }
    do {
        try UserText.check(text, maxBytes: 10_000, what: what)
        precondition(!text.unicodeScalars.contains(where: UserText.isRefusedControl))
    } catch {
        precondition([.contentTooLong, .emptyContent, .invalidText].contains(error.code))
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestBody(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let all = UnsafeRawBufferPointer(start: start, count: count)
    let bytes = Array(all.dropFirst())
    switch all[0] % 11 {
    case 0: _ = decode(NewTransfer.self, bytes)
    case 1: _ = decode(NewTopUp.self, bytes)
    case 2: _ = decode(NewTip.self, bytes)
    case 3: _ = decode(NewFriendRequest.self, bytes)
    case 4: checkText(decode(NewPost.self, bytes)?.body, what: "post")
    case 5: checkText(decode(NewComment.self, bytes)?.body, what: "comment")
    case 6: checkText(decode(NewReport.self, bytes)?.reason, what: "report reason")
    case 7: checkText(decode(StopExperiment.self, bytes)?.reason, what: "stop reason")
    case 8: _ = decode(NewRedPacket.self, bytes)
    case 9: checkText(decode(ShipExperiment.self, bytes)?.reason, what: "ship reason")
    default:
        // An exposure's id reaches the service only well-formed.
        if let exposure = decode(NewExposure.self, bytes) { precondition(CircleID.isWellFormed(exposure.experimentID)) }
    }
    return 0
}
