/// The README's list of `quanzi.*` bindings, rendered from `ScriptBinding.all` between two
/// markers. `quanzi bindings --update README.md` (`make docs`) rewrites it; a test fails when the
/// README and the table disagree.
public enum BindingReference {
    static let beginMarker = "<!-- quanzi.* bindings: generated from ScriptBinding.all by `make docs`, do not edit -->"
    static let endMarker = "<!-- end of quanzi.* bindings -->"

    /// The section, markers included.
    public static var section: String {
        let rows = ScriptBinding.all.map { "| `\($0.signature)` | \($0.doc) |" }
        return ([beginMarker, "| binding | answers |", "|---|---|"] + rows + [endMarker]).joined(separator: "\n")
    }

    /// `document` with its generated section replaced by the table's; nil when it has no section.
    public static func updating(_ document: String) -> String? {
        guard let begin = document.firstRange(of: beginMarker),
            let end = document[begin.upperBound...].firstRange(of: endMarker)
        else { return nil }
        var updated = document
        updated.replaceSubrange(begin.lowerBound..<end.upperBound, with: section)
        return updated
    }
}
