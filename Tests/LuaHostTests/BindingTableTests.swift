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
}
