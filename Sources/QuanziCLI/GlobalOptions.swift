import ArgumentParser
import Core
import LuaHost
import Service
import Storage

/// Flags every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Folder of circle plugins (*.lua).")
    var plugins = "plugins"

    @Option(name: .long, help: "Folder of experiments and metrics (*.lua).")
    var experiments = "experiments"

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
    func openService(clock: any Clock = SystemClock(), viewDurability: ViewRecorder.Durability = .beforeReturn) throws -> QuanziService {
        let (plugins, experiments) = try loadScripts()
        do {
            return try QuanziService(database: QuanziDatabase(path: db), plugins: plugins, experiments: experiments, clock: clock, limits: limits,
                                     viewDurability: viewDurability)
        } catch {
            Console.error("\(db): cannot open the database: \(error)")
            throw ExitCode(1)
        }
    }

    /// Loads and validates the plugins and experiments, or prints every problem of both and exits 1.
    func loadScripts() throws -> (PluginSet, ExperimentSet) {
        var problems: [PluginProblem] = []
        var pluginSet: PluginSet?
        var experimentSet: ExperimentSet?
        do throws(PluginLoadError) {
            pluginSet = try PluginSet.load(directory: plugins, limits: limits)
        } catch {
            problems += error.problems
        }
        do throws(PluginLoadError) {
            experimentSet = try ExperimentSet.load(directory: experiments, limits: limits)
        } catch {
            problems += error.problems
        }
        guard let pluginSet, let experimentSet, problems.isEmpty else {
            for problem in problems { Console.error(problem.description) }
            Console.error("\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(plugins) and \(experiments)")
            throw ExitCode(1)
        }
        return (pluginSet, experimentSet)
    }

    func loadPlugins() throws -> PluginSet { try loadScripts().0 }
}
