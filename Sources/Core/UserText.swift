/// The one rule for text people write (posts, comments, report and stop reasons, names): it
/// must say something, fit its byte budget, and hold no control characters but newline and tab.
///
/// Why control characters are refused rather than stripped: a NUL cuts a C string short (SQLite
/// stored such posts truncated, and a leading NUL failed the insert), and the C0/C1 controls
/// rewrite terminals and logs that display the text. Refusing keeps what is stored exactly what
/// the client sent.
public enum UserText {
    /// Checks `text` against the rule; `what` names it in the message ("comment", "report reason").
    /// - Throws: `empty_content` for blank text (when `allowsEmpty` is false), `content_too_long`
    ///   past `maxBytes` bytes of UTF-8, `invalid_text` for a control character (with its position).
    public static func check(_ text: String, maxBytes: Int, what: String, allowsEmpty: Bool = false) throws(QuanziError) {
        let byteCount = text.utf8.count
        guard byteCount <= maxBytes else {
            throw QuanziError(.contentTooLong, "the \(what) is \(byteCount) bytes; at most \(maxBytes)")
        }
        var sawVisible = false
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            if isRefusedControl(scalar) {
                let code = String(scalar.value, radix: 16, uppercase: true)
                throw QuanziError(
                    .invalidText,
                    "the \(what) holds the control character U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code) at character \(offset + 1); only newline and tab are allowed"
                )
            }
            if !sawVisible, !scalar.properties.isWhitespace { sawVisible = true }
        }
        guard allowsEmpty || sawVisible else { throw QuanziError(.emptyContent, "the \(what) is empty") }
    }

    /// C0 controls (U+0000–U+001F) but tab and newline, DEL and the C1 controls (U+007F–U+009F).
    public static func isRefusedControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: false
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }
}
