import BlockingWork
import Foundation
import Logging
import LuaHost
import Service
import ServiceLifecycle
import UnixSignals

/// Reloads the plugins and experiments folders into the running service, however it is asked
/// (`POST /v1/admin/reload`, `SIGHUP`, `serve --watch`): the service checks and tests the new
/// set and swaps it in, or refuses it and keeps serving the old one (see
/// `QuanziService.reloadScripts`). Each outcome is logged, problems one line each as
/// `file:line: message`, and counted on `/metrics`.
public final class ScriptReloader: Sendable {
    let service: QuanziService
    public let folders: ScriptFolders
    let metrics: ScriptMetrics
    let logger: Logger

    init(service: QuanziService, folders: ScriptFolders, metrics: ScriptMetrics, logger: Logger) {
        self.service = service
        self.folders = folders
        self.metrics = metrics
        self.logger = logger
    }

    /// Reloads on a thread that may block (it runs Lua and every test case).
    func reload(trigger: String) async throws(ScriptReloadRefused) -> ScriptReload {
        let service = self.service
        let folders = self.folders
        let outcome = await (try? Blocking.anyThread { () -> Result<ScriptReload, ScriptReloadRefused> in
            do throws(ScriptReloadRefused) {
                return .success(try service.reloadScripts(from: folders, trigger: trigger))
            } catch {
                return .failure(error)
            }
        }) ?? .failure(ScriptReloadRefused(problems: [PluginProblem(.init(file: folders.plugins, line: 0), "the reload could not run")]))
        switch outcome {
        case .success(let reload):
            metrics.recordReload(outcome: reload.changed ? "reloaded" : "unchanged", trigger: trigger)
            metrics.refresh(from: service.servingScripts)
            if reload.changed {
                logger.notice(
                    "scripts reloaded",
                    metadata: [
                        "trigger": "\(trigger)", "generation": "\(reload.generation.number)",
                        "set_version": "\(reload.generation.versions.setVersion)",
                        "changes": "\(reload.changes.map { $0.description }.joined(separator: "; "))",
                    ])
            } else {
                logger.info("scripts unchanged", metadata: ["trigger": "\(trigger)", "set_version": "\(reload.generation.versions.setVersion)"])
            }
            return reload
        case .failure(let refused):
            metrics.recordReload(outcome: "refused", trigger: trigger)
            for problem in refused.problems { logger.error("\(problem.description)", metadata: ["trigger": "\(trigger)"]) }
            logger.error(
                "reload refused; the scripts in force keep serving",
                metadata: [
                    "trigger": "\(trigger)", "problems": "\(refused.problems.count)",
                    "set_version": "\(service.servingScripts.versions.setVersion)",
                ])
            throw refused
        }
    }
}

/// Reloads on each `SIGHUP`, as daemons do.
struct ScriptSignalService: Service {
    let reloader: ScriptReloader

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            _ = try? await reloader.reload(trigger: "sighup")
        }
    }
}

/// `serve --watch`: looks at both folders every `intervalMs` and reloads when a `.lua` file was
/// added, removed or changed (its size or modification time) and has then stayed the same for
/// one more look, so an editor's half-written save is not loaded. Polling rather than inotify:
/// it is the same on every platform and a look is a directory listing. A refused reload is
/// not retried until the files change again.
struct ScriptWatchService: Service {
    let reloader: ScriptReloader
    let intervalMs: Int

    func run() async throws {
        var loaded = Self.fingerprint(reloader.folders)
        var pending: [String: String]?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(intervalMs))
            let now = Self.fingerprint(reloader.folders)
            if now == loaded {
                pending = nil
                continue
            }
            // Changed since the last reload: wait until two looks agree.
            guard now == pending else {
                pending = now
                continue
            }
            loaded = now
            pending = nil
            _ = try? await reloader.reload(trigger: "watch")
        }
    }

    /// Each `.lua` file directly in either folder, with its size and modification time.
    static func fingerprint(_ folders: ScriptFolders) -> [String: String] {
        var files: [String: String] = [:]
        let manager = FileManager.default
        for folder in [folders.plugins, folders.experiments] {
            for name in (try? manager.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".lua") {
                let path = folder + "/" + name
                let attributes = try? manager.attributesOfItem(atPath: path)
                let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
                let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
                files[path] = "\(size)@\(modified)"
            }
        }
        return files
    }
}
