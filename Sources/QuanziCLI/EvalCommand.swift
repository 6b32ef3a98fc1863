import ArgumentParser
import Foundation
import LuaHost

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run Lua in the plugin sandbox and print what it returns.",
        discussion: """
            The code runs with the same limits and quanzi.* bindings as plugins. An expression is \
            returned as is: `quanzi eval '2 + 2'` prints 4. Errors print as file:line: message on \
            stderr and exit 1.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Lua code to run.")
    var expression: String?

    @Option(name: .long, help: "Run this Lua file instead.")
    var file: String?

    func validate() throws {
        guard (expression == nil) != (file == nil) else { throw ValidationError("give either EXPR or --file F") }
    }

    func run() throws {
        let code: String
        let chunkName: String
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                Console.error("\(file): cannot read the file")
                throw ExitCode(1)
            }
            code = String(decoding: data, as: UTF8.self)
            chunkName = "@" + file
        } else {
            code = expression ?? ""
            chunkName = "=eval"
        }
        let console = try ScriptConsole(limits: options.limits)
        do {
            let result = try console.run(code, chunkName: chunkName)
            if !result.output.isEmpty { print(result.output, terminator: "") }
            if result.outputTruncated { Console.error("(output truncated)") }
            if !result.values.isEmpty { print(result.values.map(LuaValueFormat.describe).joined(separator: "\t")) }
        } catch {
            Console.error(error.description)
            throw ExitCode(1)
        }
    }
}
