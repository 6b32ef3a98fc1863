import Core
import Hummingbird
import LuaHost
import Service

/// `/v1/admin` (admin): the scripts this node serves and reloading them.
struct AdminController {
    let service: QuanziService
    /// nil when the server was built without script folders (tests of other routes): reload
    /// then answers that it cannot.
    let reloader: ScriptReloader?

    func addRoutes(to admin: RouterGroup<QuanziRequestContext>) {
        admin.get("admin/plugins", use: plugins)
        admin.post("admin/reload", use: reload)
    }

    /// Every loaded file with its version and when that version was loaded here.
    @Sendable func plugins(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        try JSONResponse.make(LoadedScriptsView(service.servingScripts, node: service.nodeID, folders: reloader?.folders))
    }

    /// Reloads both folders: 200 with what changed (or nothing), or 422 `reload_refused` with
    /// every problem as `{file, line, message}` while the old set keeps serving.
    @Sendable func reload(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        _ = try context.requireCaller()
        guard let reloader else {
            throw APIError(.conflict, code: QuanziError.Code.reloadRefused.rawValue, "this server was started without script folders to reload from")
        }
        let reload = try await reloader.reload(trigger: "api")
        return try JSONResponse.make(ReloadView(reload, node: service.nodeID, folders: reloader.folders))
    }
}

struct LoadedFileView: Codable, Sendable {
    let folder: String
    let file: String
    let path: String
    let version: String
    let loadedAt: Int64

    enum CodingKeys: String, CodingKey {
        case folder, file, path, version, loadedAt = "loaded_at"
    }
}

struct LoadedScriptsView: Codable, Sendable {
    let node: String?
    let generation: Int
    let setVersion: String
    let loadedAt: Int64
    let pluginsFolder: String?
    let experimentsFolder: String?
    let files: [LoadedFileView]

    enum CodingKeys: String, CodingKey {
        case node, generation, setVersion = "set_version", loadedAt = "loaded_at", pluginsFolder = "plugins_folder",
            experimentsFolder = "experiments_folder", files
    }

    init(_ scripts: ScriptGeneration, node: String?, folders: ScriptFolders?) {
        self.node = node
        generation = scripts.number
        setVersion = scripts.versions.setVersion
        loadedAt = scripts.loadedAtEpochSeconds
        pluginsFolder = folders?.plugins
        experimentsFolder = folders?.experiments
        files = scripts.versions.files.map { file in
            LoadedFileView(
                folder: file.folder.rawValue, file: file.name, path: file.path, version: file.version,
                loadedAt: scripts.fileLoadedAtEpochSeconds[file.path] ?? scripts.loadedAtEpochSeconds)
        }
    }
}

struct ReloadView: Codable, Sendable {
    struct Change: Codable, Sendable {
        let folder: String
        let path: String
        let oldVersion: String?
        let newVersion: String?

        enum CodingKeys: String, CodingKey {
            case folder, path, oldVersion = "old_version", newVersion = "new_version"
        }
    }

    /// `reloaded` or `unchanged`.
    let status: String
    let previousSetVersion: String
    let changes: [Change]
    let scripts: LoadedScriptsView

    enum CodingKeys: String, CodingKey {
        case status, previousSetVersion = "previous_set_version", changes, scripts
    }

    init(_ reload: ScriptReload, node: String?, folders: ScriptFolders) {
        status = reload.changed ? "reloaded" : "unchanged"
        previousSetVersion = reload.previous.setVersion
        changes = reload.changes.map {
            Change(folder: $0.folder.rawValue, path: $0.path, oldVersion: $0.oldVersion, newVersion: $0.newVersion)
        }
        scripts = LoadedScriptsView(reload.generation, node: node, folders: folders)
    }
}
