import ArgumentParser
import Configuration
import Foundation
import PostgresStorage
import Synchronization

/// A command's settings, through apple/swift-configuration: each is read from the command line,
/// else a `QUANZI_*` environment variable, else the JSON config file (`--config FILE` or
/// `QUANZI_CONFIG`), else its built-in default; `serve --print-config` shows which.
///
/// Keys are the flags' names in snake_case: `--memory-limit-mib` is `memory_limit_mib` in the
/// file and `QUANZI_MEMORY_LIMIT_MIB` in the environment.
final class Settings: Sendable {
    /// Where each provider's values come from, in the order they are asked.
    enum Source: Sendable, Hashable, CustomStringConvertible {
        case commandLine
        case environment
        case file(String)
        case builtIn

        var description: String {
            switch self {
            case .commandLine: "command line"
            case .environment: "environment"
            case .file(let path): "file \(path)"
            case .builtIn: "default"
            }
        }
    }

    let reader: ConfigReader
    private let recorder: SourceRecorder
    let sources: [Source]

    /// The settings every command reads (`GlobalOptions`), set once before the command runs.
    private static let installed = Mutex<Settings?>(nil)

    static var current: Settings? { installed.withLock { $0 } }

    static func install(_ settings: Settings) { installed.withLock { $0 = settings } }

    /// Settings from `flags` (only those given on the command line), the environment and the
    /// config file named by `configFile` or `QUANZI_CONFIG`.
    static func load(flags: [String: ConfigContent], configFile: String?,
                     environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> Settings {
        var providers: [any ConfigProvider] = []
        var sources: [Source] = []
        providers.append(InMemoryProvider(
            name: "command line", values: Dictionary(uniqueKeysWithValues: flags.map { (AbsoluteConfigKey([$0.key]), ConfigValue($0.value, isSecret: false)) })))
        sources.append(.commandLine)
        // QUANZI_DB for `db`: every key is looked up under the `quanzi` prefix in the environment.
        providers.append(KeyMappingProvider(upstream: EnvironmentVariablesProvider(environmentVariables: environment)) { key in
            key.prepending(ConfigKey(["quanzi"]))
        })
        sources.append(.environment)
        if let path = configFile ?? environment["QUANZI_CONFIG"], !path.isEmpty {
            guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("config file \(path) does not exist") }
            let locator = ConfigReader(provider: InMemoryProvider(values: [AbsoluteConfigKey(["filePath"]): ConfigValue(.string(path), isSecret: false)]))
            do {
                providers.append(try await FileProvider<JSONSnapshot>(config: locator))
            } catch {
                throw ValidationError("config file \(path) is not a JSON object of settings: \(error)")
            }
            sources.append(.file(path))
        }
        let recorder = SourceRecorder()
        return Settings(reader: ConfigReader(providers: providers, accessReporter: recorder), recorder: recorder, sources: sources)
    }

    private init(reader: ConfigReader, recorder: SourceRecorder, sources: [Source]) {
        self.reader = reader
        self.recorder = recorder
        self.sources = sources
    }

    func string(_ key: String, default value: String) -> String { reader.string(forKey: ConfigKey([key]), default: value) }
    func optionalString(_ key: String) -> String? { reader.string(forKey: ConfigKey([key])) }
    func int(_ key: String, default value: Int) -> Int { reader.int(forKey: ConfigKey([key]), default: value) }
    func optionalInt(_ key: String) -> Int? { reader.int(forKey: ConfigKey([key])) }
    func double(_ key: String, default value: Double) -> Double { reader.double(forKey: ConfigKey([key]), default: value) }
    func bool(_ key: String, default value: Bool) -> Bool { reader.bool(forKey: ConfigKey([key]), default: value) }

    /// Refuses values that could not be read as their setting's type, naming where each came from.
    func checkReadable() throws {
        let problems = recorder.unreadableValues.sorted { $0.key < $1.key }
        guard let (key, error) = problems.first else { return }
        let env = "QUANZI_\(key.uppercased())"
        throw ValidationError("setting \(key) (\(source(of: key) == .builtIn ? "\(env) or the config file" : source(of: key).description)) cannot be read: \(error)")
    }

    /// Where `key`'s value came from, once it has been read.
    func source(of key: String) -> Source {
        guard let index = recorder.sourceIndex(of: key), index < sources.count else { return .builtIn }
        return sources[index]
    }

    /// One line per setting, `key = value (source)`, with secrets masked: the database URL's
    /// password and the notify URL's path and query.
    func describe(_ values: [(key: String, value: String?)]) -> [String] {
        values.map { key, value in
            let shown = value.map { Self.masked(key: key, value: $0) } ?? "(none)"
            var where_ = source(of: key).description
            if case .environment = source(of: key) { where_ += " QUANZI_\(key.uppercased())" }
            return "\(key) = \(shown)  (\(where_))"
        }
    }

    static func masked(key: String, value: String) -> String {
        switch key {
        case "db": return PostgresURL.isPostgres(value) ? PostgresURL.redacted(value) : value
        case "notify_url":
            guard let url = URL(string: value), let scheme = url.scheme, let host = url.host else { return "(set, hidden)" }
            return "\(scheme)://\(host)/… (path and query hidden)"
        default: return value
        }
    }
}

/// Records which provider answered each key (the first with a value), for `--print-config`.
/// Also keeps the values that could not be read as their type (`QUANZI_PORT=abc`): the reader
/// falls back to the default for those, so `main` refuses to start instead.
final class SourceRecorder: AccessReporter, Sendable {
    private let answered = Mutex<[String: Int]>([:])
    private let unreadable = Mutex<[String: String]>([:])

    func report(_ event: AccessEvent) {
        let key = event.metadata.key.components.joined(separator: ".")
        if let error = event.conversionError {
            unreadable.withLock { $0[key] = "\(error)" }
        }
        // A provider that holds the key with a value of the wrong type answers with an error.
        for result in event.providerResults {
            if case .failure(let error) = result.result { unreadable.withLock { $0[key] = "\(error)" } }
        }
        guard let index = event.providerResults.firstIndex(where: { (try? $0.result.get().value) != nil }) else { return }
        answered.withLock { $0[key] = index }
    }

    func sourceIndex(of key: String) -> Int? { answered.withLock { $0[key] } }
    var unreadableValues: [String: String] { unreadable.withLock { $0 } }
}

/// A command whose settings go beyond `GlobalOptions`'.
protocol ConfigurableCommand {
    /// The settings given as flags on this command line (absent flags are left out).
    var settingsFlags: [String: ConfigContent] { get }
    /// The command's checks on its values in force.
    func checkSettings() throws
    /// Every setting with its value in force (`--print-config`).
    var describedSettings: [(key: String, value: String?)] { get }
}

/// Parses the command line, resolves the settings (flags, environment, config file), then runs
/// the command: `GlobalOptions` and `serve` read their values through `Settings.current`.
@main
enum QuanziMain {
    static func main() async { await parseAndRun() }

    /// Off the main actor, as ArgumentParser's own `main` runs a command.
    @concurrent static func parseAndRun() async {
        do {
            var command = try Quanzi.parseAsRoot()
            let global = (Mirror(reflecting: command).children.lazy.compactMap { ($0.value as? OptionGroup<GlobalOptions>)?.wrappedValue }.first)
            var flags = global?.settingsFlags ?? [:]
            if let configurable = command as? ConfigurableCommand {
                flags.merge(configurable.settingsFlags) { _, own in own }
            }
            Settings.install(try await Settings.load(flags: flags, configFile: global?.config))
            // Every setting read once (what could not be read as its type is refused), then the
            // same checks again on the values in force now that the environment and the file are read.
            _ = global?.describedSettings
            _ = (command as? ConfigurableCommand)?.describedSettings
            do {
                try Settings.current?.checkReadable()
                try global?.checkSettings()
                try (command as? ConfigurableCommand)?.checkSettings()
            } catch {
                type(of: command).exit(withError: error)
            }
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            Quanzi.exit(withError: error)
        }
    }
}
