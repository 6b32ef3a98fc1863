import Crypto
import Foundation

/// A plugin file's path (as shown in messages) and text.
public struct PluginSource: Sendable, Hashable {
    public var path: String
    public var code: String

    public init(path: String, code: String) {
        self.path = path
        self.code = code
    }

    /// The file's version: the first 16 hex digits (64 bits) of the SHA-256 of its bytes. The
    /// same text is the same version on every node and after every restart; exposures, reloads,
    /// `/metrics` and `GET /v1/admin/plugins` name files by it.
    public var version: String { Self.version(of: code) }

    public static func version(of code: String) -> String {
        SHA256.hash(data: Data(code.utf8)).prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The file's name without its folder (`campus-diary.lua`).
    public var fileName: String { path.split(separator: "/").last.map(String.init) ?? path }

    /// Lines `lines` of the text (from 1, as Lua counts them), as written; lines past the end
    /// are left out.
    public func text(ofLines lines: ClosedRange<Int>) -> String {
        code.split(separator: "\n", omittingEmptySubsequences: false)
            .dropFirst(max(0, lines.lowerBound - 1)).prefix(lines.count).joined(separator: "\n")
    }

    /// Every `*.lua` file directly in `directory`, sorted by name so load order is stable.
    /// A missing folder is an empty set; an unreadable file is a problem.
    public static func folder(_ directory: String) throws(PluginLoadError) -> [PluginSource] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else { return [] }
        let names = ((try? manager.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".lua") }.sorted()
        var sources: [PluginSource] = []
        var problems: [PluginProblem] = []
        for name in names {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let data = manager.contents(atPath: path) else {
                problems.append(PluginProblem(.init(file: path, line: 1), "cannot read the file"))
                continue
            }
            sources.append(PluginSource(path: path, code: String(decoding: data, as: UTF8.self)))
        }
        if !problems.isEmpty { throw PluginLoadError(problems: problems) }
        return sources
    }
}
