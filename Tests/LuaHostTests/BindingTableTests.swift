import Foundation
import Testing

@testable import LuaHost

/// The binding table is the one declaration of every `quanzi.*` function: what scripts can call
/// and what the README lists both come from it.
@Suite("binding table")
struct BindingTableTests {
    @Test("names are unique, at most one namespace deep, and documented")
    func shape() {
        let names = ScriptBinding.all.map(\.name)
        #expect(Set(names).count == names.count)
        for binding in ScriptBinding.all {
            #expect(binding.path.split(separator: ".", omittingEmptySubsequences: false).count <= 2, "\(binding.path)")
            #expect(!binding.path.split(separator: ".").contains { $0.isEmpty }, "\(binding.path)")
            #expect(!binding.doc.isEmpty && !binding.doc.contains("|") && !binding.doc.contains("\n"), "\(binding.name)")
        }
    }

    @Test("scripts can call exactly the table's functions, besides the declarations")
    func registered() throws {
        let code = """
            local names = {}
            for name, value in pairs(quanzi) do
              if type(value) == "function" then names[#names + 1] = "quanzi." .. name
              else for inner in pairs(value) do names[#names + 1] = "quanzi." .. name .. "." .. inner end end
            end
            table.sort(names)
            return table.concat(names, " ")
            """
        let declarations = ["quanzi.circle", "quanzi.experiment", "quanzi.metrics"]
        let expected = (ScriptBinding.all.map(\.name) + declarations).sorted().joined(separator: " ")
        #expect(try values(code) == [.string(expected)])
    }

    @Test("README.md lists the table's bindings (run `make docs` after changing the table)")
    func readmeIsCurrent() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let readme = try String(contentsOf: url.appendingPathComponent("README.md"), encoding: .utf8)
        let updated = try #require(BindingReference.updating(readme), "README.md has no generated bindings section")
        #expect(updated == readme, "README.md's quanzi.* bindings differ from ScriptBinding.all: run `make docs`")
        for binding in ScriptBinding.all { #expect(readme.contains("`\(binding.signature)`")) }
    }

    @Test("the section is a Markdown table of signatures and docs")
    func section() {
        let lines = BindingReference.section.split(separator: "\n")
        #expect(lines.count == ScriptBinding.all.count + 4)
        #expect(lines.contains("| `quanzi.ab.param(user, experiment_id, key, default)` | \(ScriptBinding.all.last!.doc) |"))
        #expect(BindingReference.updating("no markers here") == nil)
    }
}
