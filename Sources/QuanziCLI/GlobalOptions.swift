import ArgumentParser
import Core
import LuaHost
import Service
import Storage

/// Flags every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Folder of circle plugins (*.lua).")
    var plugins = "plugins"

    @Option(name: .long, help: "The database file.")
    var db = QuanziDatabase.defaultPath

    @Option(name: .long, help: "VM instructions one Lua call may run.")
    var instructionLimit: Int64 = ScriptLimits.default.instructionLimit

    @Option(name: .long, help: "Memory cap of one Lua state, in MiB.")
    var memoryLimitMiB: Int = ScriptLimits.default.memoryLimitBytes >> 20

    @Option(name: .long, help: "Wall-clock limit of one Lua call, in milliseconds.")
    var timeoutMs: Int64 = ScriptLimits.default.timeoutMs

    var limits: ScriptLimits {
        ScriptLimits(instructionLimit: instructionLimit, memoryLimitBytes: memoryLimitMiB << 20, timeoutMs: timeoutMs)
    }

    func validate() throws {
        guard instructionLimit > 0 else { throw ValidationError("--instruction-limit must be positive") }
        guard (1...4096).contains(memoryLimitMiB) else { throw ValidationError("--memory-limit-mib must be between 1 and 4096") }
        guard timeoutMs > 0 else { throw ValidationError("--timeout-ms must be positive") }
    }

    /// Opens the database and the plugins, ready to act.
    func openService(clock: any Clock = SystemClock()) throws -> QuanziService {
        let plugins = try loadPlugins()
        do {
            return try QuanziService(database: QuanziDatabase(path: db), plugins: plugins, clock: clock, limits: limits)
        } catch {
            Console.error("\(db): cannot open the database: \(error)")
            throw ExitCode(1)
        }
    }

    /// Loads and validates the plugins, or prints every problem and exits 1.
    func loadPlugins() throws -> PluginSet {
        do {
            return try PluginSet.load(directory: plugins, limits: limits)
        } catch {
            for problem in error.problems { Console.error(problem.description) }
            Console.error("\(error.problems.count) problem\(error.problems.count == 1 ? "" : "s") in \(plugins)")
            throw ExitCode(1)
        }
    }
}
