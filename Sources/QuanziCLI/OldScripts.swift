import Foundation
import LuaHost

/// The plugins and experiments `quanzi check --diff OLD` compares with: an old checkout's
/// folders (OLD is a directory) or a git revision's (`HEAD~1`, a commit), read for the same
/// relative folders as `--plugins` and `--experiments`.
struct OldScripts {
    enum Origin {
        case directory(String)
        case revision(String)
    }

    /// Bytes a git command may print (a plugin file is a few KiB; a listing a few hundred bytes per file).
    static let gitOutputBytesMax = 16 << 20

    let origin: Origin

    /// A directory when `old` is one, else a git revision (checked when read).
    init(_ old: String) {
        origin = Self.isDirectory(old) ? .directory(old) : .revision(old)
    }

    /// The old folders' files: `folder`'s `*.lua`, with paths that say where they came from
    /// (`OLD/plugins/x.lua`, `HEAD~1:plugins/x.lua`).
    func sources(plugins: String, experiments: String) throws -> (plugins: [PluginSource], experiments: [PluginSource]) {
        switch origin {
        case .directory(let root):
            let pluginFolder = Self.inside(root, plugins)
            let experimentFolder = Self.inside(root, experiments)
            guard [pluginFolder, experimentFolder].contains(where: Self.isDirectory) else {
                throw OldScriptsError("'\(root)' holds neither \(pluginFolder) nor \(experimentFolder)")
            }
            do throws(PluginLoadError) {
                return (try PluginSource.folder(pluginFolder), try PluginSource.folder(experimentFolder).filter(ExperimentSet.isExperimentFile))
            } catch {
                throw OldScriptsError(error.description)
            }
        case .revision(let revision):
            return (try Self.files(of: plugins, at: revision), try Self.files(of: experiments, at: revision).filter(ExperimentSet.isExperimentFile))
        }
    }

    /// `folder` inside an old checkout: the same relative path, or the same last component of an absolute one.
    static func inside(_ root: String, _ folder: String) -> String {
        let relative = folder.hasPrefix("/") ? (folder as NSString).lastPathComponent : folder
        return (root as NSString).appendingPathComponent(relative)
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The `*.lua` blobs directly in `folder` at `revision`, read from git with the folder's parent
    /// as the working directory (git resolves `./` paths against it, as `--plugins` is resolved).
    static func files(of folder: String, at revision: String) throws -> [PluginSource] {
        let trimmed = folder.hasSuffix("/") && folder.count > 1 ? String(folder.dropLast()) : folder
        let parent = (trimmed as NSString).deletingLastPathComponent
        let directory = parent.isEmpty ? "." : parent
        let base = (trimmed as NSString).lastPathComponent
        guard isDirectory(directory) else { throw OldScriptsError("cannot read \(folder) at \(revision): no folder \(directory) here") }
        let commit: String
        do {
            let verified = try git(["rev-parse", "--verify", "--quiet", "\(revision)^{commit}"], in: directory)
            commit = String(decoding: verified, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch is OldScriptsError {
            // With --quiet, rev-parse says nothing: the revision is unknown, or this is no repository.
            throw OldScriptsError("'\(revision)' is neither a directory nor a git revision of the repository at \(directory)")
        }
        let listing = try git(["ls-tree", "-z", commit, "--", base + "/"], in: directory)
        // Each entry: "<mode> <type> <object>\t<path>", NUL-terminated; paths relative to `directory`.
        let paths = listing.split(separator: 0).compactMap { entry -> String? in
            let text = String(decoding: entry, as: UTF8.self)
            guard let tab = text.firstIndex(of: "\t") else { return nil }
            let fields = text[..<tab].split(separator: " ")
            let path = String(text[text.index(after: tab)...])
            return fields.count == 3 && fields[1] == "blob" && path.hasSuffix(".lua") ? path : nil
        }.sorted()
        return try paths.map { path in
            let code = try git(["cat-file", "blob", "\(commit):./\(path)"], in: directory)
            let shown = directory == "." ? path : (directory as NSString).appendingPathComponent(path)
            return PluginSource(path: "\(revision):\(shown)", code: String(decoding: code, as: UTF8.self))
        }
    }

    /// Runs `git arguments` in `directory` and returns what it printed, or throws with its message.
    static func git(_ arguments: [String], in directory: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read stdout before waiting (a full pipe would block git), at most the bound; git's stderr
        // here is a line or two, far below a pipe's buffer.
        var data = Data()
        while case let chunk = output.fileHandleForReading.availableData, !chunk.isEmpty {
            data.append(chunk)
            guard data.count <= gitOutputBytesMax else {
                process.terminate()
                process.waitUntilExit()
                throw OldScriptsError("git \(arguments.joined(separator: " ")) printed more than \(gitOutputBytesMax) bytes")
            }
        }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw OldScriptsError("git \(arguments.joined(separator: " ")) failed" + (text.isEmpty ? "" : ": \(text)"))
        }
        return data
    }
}

struct OldScriptsError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
