import ArgumentParser
import Configuration
import Foundation
import BlockingWork
import Core
import Logging
import LuaHost
import PostgresStorage
import Service
import SQLiteStorage

/// Flags every command shares. Each may also come from a `QUANZI_*` environment variable or the
/// JSON config file (`Settings`): the flags are optional here, and the values the commands use
/// are resolved through `Settings.current`.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("plugins"), help: "Folder of circle plugins (*.lua). [env QUANZI_PLUGINS]")
    var pluginsFlag: String?

    @Option(name: .customLong("experiments"), help: "Folder of experiments and metrics (*.lua). [env QUANZI_EXPERIMENTS]")
    var experimentsFlag: String?

    @Option(name: .customLong("db"), help: "The database: a SQLite file, or postgres://user@host[:port]/database (migrated by `quanzi migrate`). [env QUANZI_DB; default var/quanzi.sqlite]")
    var dbFlag: String?

    @Option(name: .customLong("instruction-limit"), help: "VM instructions one Lua call may run. [env QUANZI_INSTRUCTION_LIMIT]")
    var instructionLimitFlag: Int64?

    @Option(name: .customLong("memory-limit-mib"), help: "Memory cap of one Lua state, in MiB. [env QUANZI_MEMORY_LIMIT_MIB]")
    var memoryLimitMiBFlag: Int?

    @Option(name: .customLong("timeout-ms"), help: "Wall-clock limit of one Lua call, in milliseconds. [env QUANZI_TIMEOUT_MS]")
    var timeoutMsFlag: Int64?

    @Option(name: .long, help: "A JSON file of settings, keyed by the flags' names in snake_case (e.g. {\"db\": \"var/quanzi.sqlite\", \"port\": 8080}); flags and QUANZI_* environment variables win over it. [env QUANZI_CONFIG]")
    var config: String?

    /// The flags given on this command line, by setting name.
    var settingsFlags: [String: ConfigContent] {
        var flags: [String: ConfigContent] = [:]
        if let pluginsFlag { flags["plugins"] = .string(pluginsFlag) }
        if let experimentsFlag { flags["experiments"] = .string(experimentsFlag) }
        if let dbFlag { flags["db"] = .string(dbFlag) }
        if let instructionLimitFlag { flags["instruction_limit"] = .int(Int(instructionLimitFlag)) }
        if let memoryLimitMiBFlag { flags["memory_limit_mib"] = .int(memoryLimitMiBFlag) }
        if let timeoutMsFlag { flags["timeout_ms"] = .int(Int(timeoutMsFlag)) }
        return flags
    }

    /// A setting: the resolved one once `Settings` is installed (from `main`), else the flag.
    private func resolved<T>(_ flag: T?, _ read: (Settings) -> T, default value: T) -> T {
        guard let settings = Settings.current else { return flag ?? value }
        return read(settings)
    }

    var plugins: String { resolved(pluginsFlag, { $0.string("plugins", default: "plugins") }, default: "plugins") }
    var experiments: String { resolved(experimentsFlag, { $0.string("experiments", default: "experiments") }, default: "experiments") }
    var db: String { resolved(dbFlag, { $0.string("db", default: QuanziDatabase.defaultPath) }, default: QuanziDatabase.defaultPath) }
    var instructionLimit: Int64 {
        resolved(instructionLimitFlag, { Int64($0.int("instruction_limit", default: Int(ScriptLimits.default.instructionLimit))) },
                 default: ScriptLimits.default.instructionLimit)
    }
    var memoryLimitMiB: Int {
        resolved(memoryLimitMiBFlag, { $0.int("memory_limit_mib", default: ScriptLimits.default.memoryLimitBytes >> 20) },
                 default: ScriptLimits.default.memoryLimitBytes >> 20)
    }
    var timeoutMs: Int64 {
        resolved(timeoutMsFlag, { Int64($0.int("timeout_ms", default: Int(ScriptLimits.default.timeoutMs))) }, default: ScriptLimits.default.timeoutMs)
    }

    var limits: ScriptLimits {
        ScriptLimits(instructionLimit: instructionLimit, memoryLimitBytes: memoryLimitMiB << 20, timeoutMs: timeoutMs)
    }

    func validate() throws { try checkSettings() }

    /// The checks on the values in force (run again once the environment and the file are read).
    func checkSettings() throws {
        guard instructionLimit > 0 else { throw ValidationError("--instruction-limit must be positive") }
        guard (1...4096).contains(memoryLimitMiB) else { throw ValidationError("--memory-limit-mib must be between 1 and 4096") }
        guard timeoutMs > 0 else { throw ValidationError("--timeout-ms must be positive") }
    }

    /// The settings `--print-config` shows.
    var describedSettings: [(key: String, value: String?)] {
        [("db", db), ("plugins", plugins), ("experiments", experiments), ("instruction_limit", String(instructionLimit)),
         ("memory_limit_mib", String(memoryLimitMiB)), ("timeout_ms", String(timeoutMs))]
    }

    /// Whether `--db` names a PostgreSQL database rather than a SQLite file.
    var isPostgres: Bool { PostgresURL.isPostgres(db) }

    /// `--db` for messages (a PostgreSQL URL without its password).
    var dbDescription: String { PostgresURL.redacted(db) }

    /// Opens the database and the plugins, ready to act. The service's synchronous calls must
    /// then run on a thread that may block (`Blocking.awaited`), as the server's do: on
    /// PostgreSQL they wait on the network, and debug builds trap if they run in a task.
    /// `batchesInFlightMax` overrides the PostgreSQL wallet's group-commit default (SQLite has one writer).
    /// `testedScripts`: the scripts must also pass their Lua test cases (`quanzi serve`, whose
    /// reloads ask the same).
    func openService(
        clock: any Clock = SystemClock(), viewDurability: ViewRecorder.Durability = .beforeReturn, batchesInFlightMax: Int? = nil,
        testedScripts: Bool = false
    ) async throws -> QuanziService {
        let (plugins, experiments) = try loadScripts(tested: testedScripts)
        let limits = limits
        do {
            guard isPostgres else {
                return try QuanziService(database: QuanziDatabase(path: db), plugins: plugins, experiments: experiments, clock: clock, limits: limits,
                                         viewDurability: viewDurability)
            }
            let backend = try await openPostgres(batchesInFlightMax: batchesInFlightMax)
            do {
                // The service reads the circles' windows as it starts: synchronous stores.
                return try await Blocking.awaited {
                    try QuanziService(storage: backend, plugins: plugins, experiments: experiments, clock: clock, limits: limits,
                                      viewDurability: viewDurability)
                }
            } catch {
                try? backend.close()
                throw error
            }
        } catch {
            Console.error("\(dbDescription): cannot open the database: \(error)")
            throw ExitCode(1)
        }
    }

    /// The PostgreSQL backend `--db` names (its schema must be current: `quanzi migrate`).
    func openPostgres(batchesInFlightMax: Int? = nil) async throws -> PostgresBackend {
        var logger = Logger(label: "quanzi.postgres")
        logger.logLevel = .error
        var groupCommit = GroupCommitPolicy.default
        if let batchesInFlightMax { groupCommit.batchesInFlightMax = batchesInFlightMax }
        return try await PostgresBackend.open(url: db, groupCommit: groupCommit, logger: logger)
    }

    /// Exits 1 with a clear message when `db` is a PostgreSQL URL: `command` works on a SQLite file only.
    static func requireSQLite(_ db: String, command: String, why: String) throws {
        guard PostgresURL.isPostgres(db) else { return }
        Console.error("quanzi \(command) needs a SQLite database file (--db FILE), not \(PostgresURL.redacted(db)): \(why)")
        throw ExitCode(1)
    }

    /// Loads and validates the plugins and experiments (and with `tested`, runs their Lua test
    /// cases, as a reload does), or prints every problem of both and exits 1.
    func loadScripts(tested: Bool = false) throws -> (PluginSet, ExperimentSet) {
        // A missing folder would load no circles, and every feed would answer circle_not_found
        // (a command run from another directory): say so instead.
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: plugins, isDirectory: &isDirectory), isDirectory.boolValue else {
            Console.error("no plugins folder at '\(plugins)': run quanzi from the project's root, or pass --plugins DIR")
            throw ExitCode(1)
        }
        do throws(PluginLoadError) {
            let folders = ScriptFolders(plugins: plugins, experiments: experiments)
            return try tested ? folders.loadTested(limits: limits) : folders.load(limits: limits)
        } catch {
            for problem in error.problems { Console.error(problem.description) }
            Console.error("\(error.problems.count) problem\(error.problems.count == 1 ? "" : "s") in \(plugins) and \(experiments)")
            throw ExitCode(1)
        }
    }

    func loadPlugins() throws -> PluginSet { try loadScripts().0 }
}
