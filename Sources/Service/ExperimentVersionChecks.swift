import Core
import Experiments
import LuaHost
import StorageModel

extension ExperimentService {
    /// The time the report's data covers: from the phase's first exposure to the end of the
    /// analysis (its stop or ship, else now); nil before anyone was exposed.
    func analysisWindow(_ versions: [ExperimentReport.VersionRow], end: Int64) -> Range<Int64>? {
        guard let first = versions.map(\.firstExposedAtEpochSeconds).min(), first < end else { return nil }
        return first..<end
    }

    /// What every node recorded serving during `window` (none without a window or on SQLite).
    func servedFiles(during window: Range<Int64>?) throws(QuanziError) -> [ServedScriptFile] {
        guard let window, let nodeVersions else { return [] }
        return try QuanziError.wrapping { try nodeVersions.servedFiles(from: window.lowerBound, until: window.upperBound) }
    }

    /// Nodes that served different versions of the experiment's file, or of a circle plugin
    /// that exposed its users, at the same time inside `window` (their records), and nodes whose
    /// exposures carry different experiment versions in overlapping time (the exposures alone).
    /// None on SQLite: one node serves.
    func nodeDisagreements(_ spec: ExperimentSpec, window: Range<Int64>?, served: [ServedScriptFile]) throws(QuanziError)
        -> [NodeDisagreement]
    {
        guard nodeVersions != nil else { return [] }
        let exposures = try QuanziError.wrapping { try store.exposures(of: spec.id, phase: spec.phase) }
        let fromRecords =
            window.map { window in
                NodeVersionAgreement.disagreements(
                    served: served, experimentFile: spec.file, exposingPluginVersions: Set(exposures.compactMap(\.pluginVersion)),
                    window: window,
                    openRowGraceSeconds: ScriptVersionRecorder.openRowGraceSeconds)
            } ?? []
        let fromExposures = NodeVersionAgreement.disagreements(
            exposures: exposures.map {
                NodeExposure(node: $0.node, experimentVersion: $0.experimentVersion, atEpochSeconds: $0.firstExposedAtEpochSeconds)
            },
            experimentFile: spec.file)
        return fromRecords + fromExposures
    }
}

/// Which file a version is of, for the report: the files this process loaded, and those any node
/// recorded serving.
struct VersionFiles {
    private var experimentFiles: [String: String] = [:]
    private var pluginFiles: [String: String] = [:]

    init(scripts: ScriptGeneration, served: [ServedScriptFile]) {
        for file in served {
            switch file.file.folder {
            case .experiments: experimentFiles[file.file.version] = file.file.name
            case .plugins: pluginFiles[file.file.version] = file.file.name
            }
        }
        for file in scripts.versions.files {
            switch file.folder {
            case .experiments: experimentFiles[file.version] = file.name
            case .plugins: pluginFiles[file.version] = file.name
            }
        }
    }

    func label(_ rows: [ExperimentReport.VersionRow]) -> [ExperimentReport.VersionRow] {
        rows.map { row in
            var row = row
            row.experimentFile = row.version.experimentVersion.flatMap { experimentFiles[$0] }
            row.pluginFile = row.version.pluginVersion.flatMap { pluginFiles[$0] }
            return row
        }
    }
}
