import BlockingWork
import Core
import Experiments
import LuaHost
import Social

/// A reload the service refused: every problem with the new files (or with what they would do
/// to a live experiment) as `file:line: message`. The set in force keeps serving.
public struct ScriptReloadRefused: Error, Sendable, CustomStringConvertible {
    public var problems: [PluginProblem]

    public init(problems: [PluginProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }

    /// The same as the API, CLI and REPL show it.
    public var quanziError: QuanziError {
        QuanziError(.reloadRefused, "\(problems.count) problem\(problems.count == 1 ? "" : "s"); the scripts in force keep serving:\n\(description)")
    }
}

/// An accepted reload (or one that found nothing new).
public struct ScriptReload: Sendable {
    /// One file that differs between the two sets.
    public struct FileChange: Sendable, Hashable, CustomStringConvertible {
        public var folder: ScriptVersions.Folder
        public var path: String
        /// nil: the file is new.
        public var oldVersion: String?
        /// nil: the file was removed.
        public var newVersion: String?

        public var description: String {
            switch (oldVersion, newVersion) {
            case (nil, let new?): "\(path): added (\(new))"
            case (let old?, nil): "\(path): removed (was \(old))"
            case (let old?, let new?): "\(path): \(old) → \(new)"
            case (nil, nil): "\(path): unchanged"
            }
        }
    }

    /// The generation serving from now on (the same as before when nothing changed).
    public var generation: ScriptGeneration
    /// The versions served before.
    public var previous: ScriptVersions
    /// Empty when every file was already loaded at its version: nothing was swapped.
    public var changes: [FileChange]
    /// How the reload was asked for (`sighup`, `api`, `watch`, …), for logs.
    public var trigger: String

    public var changed: Bool { !changes.isEmpty }

    static func changes(from old: ScriptVersions, to new: ScriptVersions) -> [FileChange] {
        var changes: [FileChange] = []
        for file in new.files where old.version(ofPath: file.path) != file.version {
            changes.append(FileChange(folder: file.folder, path: file.path, oldVersion: old.version(ofPath: file.path), newVersion: file.version))
        }
        for file in old.files where new.version(ofPath: file.path) == nil {
            changes.append(FileChange(folder: file.folder, path: file.path, oldVersion: file.version, newVersion: nil))
        }
        return changes.sorted { $0.path < $1.path }
    }
}

extension QuanziService {
    /// Runs `body` with the scripts in force pinned: every rule, ranking and assignment inside it
    /// (on any `Blocking` lane) uses this one set, even if a reload swaps in another meanwhile.
    /// The HTTP server wraps each request in it.
    public func withPinnedScripts<T>(_ body: (ScriptGeneration) async throws -> T) async rethrows -> T {
        let generation = holder.serving
        return try await Blocking.$pinned.withValue(generation) { try await body(generation) }
    }

    /// The same for synchronous work (the watcher's look, a CLI command).
    public func withPinnedScripts<T>(_ body: (ScriptGeneration) throws -> T) rethrows -> T {
        let generation = holder.serving
        return try Blocking.$pinned.withValue(generation) { try body(generation) }
    }

    /// The generation new requests get (ignores any pin).
    public var servingScripts: ScriptGeneration { holder.serving }

    /// Registers `observer` for every accepted reload that changed something.
    public func onReload(_ observer: @escaping @Sendable (ScriptReload) -> Void) {
        reloadObservers.withLock { $0.append(observer) }
    }

    /// Reloads the plugins and experiments from `folders` into the running service. The new set
    /// goes live only if it passes `quanzi check` and `quanzi test` and changes no live
    /// experiment's assignment without a new phase; otherwise this throws every problem and the
    /// old set keeps serving. The swap is one pointer: requests that pinned the old set finish
    /// on it, and its Lua states close when the last of them ends. Reloads run one at a time.
    /// Synchronous and slow (it runs every Lua test case): call it off the cooperative pool.
    @discardableResult
    public func reloadScripts(from folders: ScriptFolders, trigger: String = "api") throws(ScriptReloadRefused) -> ScriptReload {
        try reloading.withLock { _ throws(ScriptReloadRefused) -> ScriptReload in
            let old = holder.serving
            let loaded: (plugins: PluginSet, experiments: ExperimentSet)
            do throws(PluginLoadError) {
                loaded = try folders.loadTested(limits: scriptLimits)
            } catch {
                throw ScriptReloadRefused(problems: error.problems)
            }
            let newVersions = ScriptVersions(plugins: loaded.plugins, experiments: loaded.experiments)
            let changes = ScriptReload.changes(from: old.versions, to: newVersions)
            guard !changes.isEmpty else { return ScriptReload(generation: old, previous: old.versions, changes: [], trigger: trigger) }
            let refusals = ReloadCompatibility.problems(old: old.experimentSet, new: loaded.experiments) { spec in
                let status = experiments.status(of: spec)
                return status == .running || status == .shipped
            }
            if !refusals.isEmpty { throw ScriptReloadRefused(problems: refusals) }
            let next = ScriptGeneration(
                number: old.number + 1, plugins: loaded.plugins, experiments: loaded.experiments, dataSource: dataSource, clock: clock,
                limits: scriptLimits, globalKeywords: globalKeywords, owner: holder.owner, previous: old)
            // Load the new set into a first Lua state before it serves, as at start: a plugin whose
            // top level fails only now is refused here rather than on a request.
            do throws(QuanziError) {
                try next.rules.prewarm()
                try QuanziError.wrapping { try posts.syncCircles(loaded.plugins.circles) }
                try feeds.addCircles(loaded.plugins.circles.filter { old.plugins.circle($0.id) == nil })
            } catch {
                throw ScriptReloadRefused(problems: [PluginProblem(SourceLocation(file: folders.plugins, line: 0), error.description)])
            }
            holder.install(next)
            let reload = ScriptReload(generation: next, previous: old.versions, changes: changes, trigger: trigger)
            for observer in reloadObservers.withLock({ $0 }) { observer(reload) }
            return reload
        }
    }
}
