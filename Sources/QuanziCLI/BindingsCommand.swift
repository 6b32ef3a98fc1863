import ArgumentParser
import Foundation
import LuaHost

struct BindingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bindings",
        abstract: "List the quanzi.* bindings scripts may call, as the README's Markdown table.",
        discussion: """
            The table is ScriptBinding.all in Sources/LuaHost, the one place a binding is declared. \
            With --update FILE, rewrites FILE's generated section (between its two markers) instead \
            of printing; `make docs` does this for README.md.
            """
    )

    @Option(help: "A Markdown file whose generated bindings section to rewrite.") var update: String?

    func run() throws {
        guard let update else {
            print(BindingReference.section)
            return
        }
        let document = try String(contentsOfFile: update, encoding: .utf8)
        guard let updated = BindingReference.updating(document) else {
            throw ValidationError("\(update) has no generated bindings section (its markers are missing)")
        }
        if updated != document { try updated.write(toFile: update, atomically: true, encoding: .utf8) }
    }
}
