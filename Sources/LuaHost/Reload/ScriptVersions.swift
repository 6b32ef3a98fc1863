import Core
import Experiments
import Social

/// The versions of a loaded set of scripts: every plugin and experiment file with its content
/// hash, and one hash naming the whole set (what a response's `Quanzi-Scripts` header carries).
public struct ScriptVersions: Sendable, Hashable {
    /// One file and its content hash (``PluginSource/version``): the same type the analysis
    /// compares across nodes, so a loaded set and a node's record never need converting.
    public typealias File = ScriptFileVersion
    public typealias Folder = ScriptFileVersion.Folder

    /// Plugins first, then experiments, each sorted by path.
    public let files: [File]
    /// A hash of every file's folder, name and version: equal sets have equal ids on every node.
    public let setVersion: String

    public init(files: [File]) {
        // Plugins before experiments ("plugins" > "experiments"), then by path.
        self.files = files.sorted { ($0.folder.rawValue, $1.path) > ($1.folder.rawValue, $0.path) }
        let lines = self.files.map { "\($0.folder.rawValue)/\($0.name)=\($0.version)" }.joined(separator: "\n")
        setVersion = PluginSource.version(of: lines)
    }

    public init(plugins: PluginSet, experiments: ExperimentSet) {
        self.init(files: plugins.sources.map { File(folder: .plugins, path: $0.path, version: $0.version) }
            + experiments.sources.map { File(folder: .experiments, path: $0.path, version: $0.version) })
    }

    /// The version of the file at `path`, if loaded.
    public func version(ofPath path: String) -> String? { files.first { $0.path == path }?.version }
}

extension PluginSet {
    /// The version of the file that declares `circle` (nil for an unknown circle).
    public func version(ofCircle circle: CircleID) -> String? {
        guard let file = self.circle(circle)?.location.file else { return nil }
        return sources.first { $0.path == file }?.version
    }
}

extension ExperimentSet {
    /// The version of the file that declares `experiment` (nil for an unknown experiment).
    public func version(ofExperiment experiment: String) -> String? {
        guard let file = self.experiment(experiment)?.file else { return nil }
        return sources.first { $0.path == file }?.version
    }
}
