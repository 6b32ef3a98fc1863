/// One script file at one version, as a node serves it.
public struct ScriptFileVersion: Sendable, Hashable, Codable {
    public enum Folder: String, Sendable, Hashable, Codable {
        case plugins, experiments
    }

    public var folder: Folder
    /// As the node loaded it (`/srv/quanzi/plugins/campus-diary.lua`).
    public var path: String
    public var version: String

    public init(folder: Folder, path: String, version: String) {
        self.folder = folder
        self.path = path
        self.version = version
    }

    /// The file's name: nodes may load the same file from different folders, and are compared
    /// by folder and name (as the set version is).
    public var name: String { path.split(separator: "/").last.map(String.init) ?? path }
}

/// A node's record of serving one file at one version (`node_script_versions`).
public struct ServedScriptFile: Sendable, Hashable, Codable {
    public var node: String
    public var file: ScriptFileVersion
    public var servedFromEpochSeconds: Int64
    /// Nil while the node still serves it (or stopped without saying so).
    public var servedUntilEpochSeconds: Int64?
    /// The node's last sign of life while serving it.
    public var seenAtEpochSeconds: Int64

    public init(
        node: String, file: ScriptFileVersion, servedFromEpochSeconds: Int64, servedUntilEpochSeconds: Int64?, seenAtEpochSeconds: Int64
    ) {
        self.node = node
        self.file = file
        self.servedFromEpochSeconds = servedFromEpochSeconds
        self.servedUntilEpochSeconds = servedUntilEpochSeconds
        self.seenAtEpochSeconds = seenAtEpochSeconds
    }
}

/// One exposure as the exposure check needs it.
public struct NodeExposure: Sendable, Hashable {
    public var node: String?
    public var experimentVersion: String?
    public var atEpochSeconds: Int64

    public init(node: String?, experimentVersion: String?, atEpochSeconds: Int64) {
        self.node = node
        self.experimentVersion = experimentVersion
        self.atEpochSeconds = atEpochSeconds
    }
}

/// Two nodes that served different versions of a file that matters to an experiment at the same time.
public struct NodeDisagreement: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Evidence: String, Sendable, Hashable, Codable {
        /// The nodes' records of what they served (`node_script_versions`).
        case served
        /// The exposures' own `node` and `experiment_version`.
        case exposures
    }

    public struct Side: Sendable, Hashable, Codable {
        public var node: String
        public var version: String

        public init(node: String, version: String) {
            self.node = node
            self.version = version
        }
    }

    public var evidence: Evidence
    public var folder: ScriptFileVersion.Folder
    /// The file's name.
    public var file: String
    /// Ordered by node, then version.
    public var first: Side
    public var second: Side
    /// When both were served (or exposed users) at once; exposures give closed spans, so a
    /// single shared second has `from == until`.
    public var fromEpochSeconds: Int64
    public var untilEpochSeconds: Int64

    public init(
        evidence: Evidence, folder: ScriptFileVersion.Folder, file: String, first: Side, second: Side, fromEpochSeconds: Int64,
        untilEpochSeconds: Int64
    ) {
        self.evidence = evidence
        self.folder = folder
        self.file = file
        self.first = first
        self.second = second
        self.fromEpochSeconds = fromEpochSeconds
        self.untilEpochSeconds = untilEpochSeconds
    }

    public var description: String {
        let what = evidence == .served ? "served" : "exposed users under"
        let overlap = evidence == .served ? "for \(untilEpochSeconds - fromEpochSeconds) s at once" : "in overlapping time"
        return "nodes \(first.node) and \(second.node) \(what) different versions of \(folder.rawValue)/\(file) "
            + "(\(first.version) and \(second.version)) \(overlap)"
    }
}

/// Whether the nodes that served an experiment agreed on its scripts. Pure: the caller reads the
/// nodes' records and the phase's exposures.
public enum NodeVersionAgreement {
    /// Disagreements in what the nodes recorded serving: two nodes whose intervals overlap inside
    /// `window` (half-open, epoch seconds) and served different versions of the experiment's file
    /// (by name) or of a circle plugin file that exposed users (a plugin file matters when any
    /// node served it at one of `exposingPluginVersions`). A row still open ends
    /// `openRowGraceSeconds` after the node was last seen: a node that died without closing its
    /// rows stops counting soon after its last heartbeat.
    public static func disagreements(
        served: [ServedScriptFile], experimentFile: String, exposingPluginVersions: Set<String>, window: Range<Int64>,
        openRowGraceSeconds: Int64
    ) -> [NodeDisagreement] {
        let experimentName = ScriptFileVersion(folder: .experiments, path: experimentFile, version: "").name
        let pluginNames = Set(
            served.filter { $0.file.folder == .plugins && exposingPluginVersions.contains($0.file.version) }.map(\.file.name))
        let relevant = served.filter { row in
            row.file.folder == .experiments ? row.file.name == experimentName : pluginNames.contains(row.file.name)
        }
        var spans: [Key: Range<Int64>] = [:]
        let byFile = Dictionary(grouping: relevant) { FileKey(folder: $0.file.folder, name: $0.file.name) }
        for (file, rows) in byFile {
            for (index, a) in rows.enumerated() {
                for b in rows[(index + 1)...] where a.node != b.node && a.file.version != b.file.version {
                    let from = max(a.servedFromEpochSeconds, b.servedFromEpochSeconds, window.lowerBound)
                    let until = min(end(of: a, grace: openRowGraceSeconds), end(of: b, grace: openRowGraceSeconds), window.upperBound)
                    guard from < until else { continue }
                    let key = Key(
                        file: file, a: .init(node: a.node, version: a.file.version), b: .init(node: b.node, version: b.file.version))
                    spans[key] = spans[key].map { min($0.lowerBound, from)..<max($0.upperBound, until) } ?? from..<until
                }
            }
        }
        return spans.map { key, span in
            NodeDisagreement(
                evidence: .served, folder: key.file.folder, file: key.file.name, first: key.first, second: key.second,
                fromEpochSeconds: span.lowerBound, untilEpochSeconds: span.upperBound)
        }.sorted(by: order)
    }

    /// Disagreements the exposures show by themselves: rows written by different nodes under
    /// different experiment versions whose time spans (first to last exposure of that node at that
    /// version, inclusive) overlap. Rows without a node or a version are left out.
    public static func disagreements(exposures: [NodeExposure], experimentFile: String) -> [NodeDisagreement] {
        var spans: [NodeDisagreement.Side: ClosedRange<Int64>] = [:]
        for exposure in exposures {
            guard let node = exposure.node, let version = exposure.experimentVersion else { continue }
            let side = NodeDisagreement.Side(node: node, version: version)
            let at = exposure.atEpochSeconds
            spans[side] = spans[side].map { min($0.lowerBound, at)...max($0.upperBound, at) } ?? at...at
        }
        let sides = spans.keys.sorted { ($0.node, $0.version) < ($1.node, $1.version) }
        let name = ScriptFileVersion(folder: .experiments, path: experimentFile, version: "").name
        var found: [NodeDisagreement] = []
        for (index, a) in sides.enumerated() {
            for b in sides[(index + 1)...] where a.node != b.node && a.version != b.version {
                let (spanA, spanB) = (spans[a]!, spans[b]!)
                let from = max(spanA.lowerBound, spanB.lowerBound), until = min(spanA.upperBound, spanB.upperBound)
                guard from <= until else { continue }
                found.append(
                    NodeDisagreement(
                        evidence: .exposures, folder: .experiments, file: name, first: a, second: b,
                        fromEpochSeconds: from, untilEpochSeconds: until))
            }
        }
        return found.sorted(by: order)
    }

    static func end(of row: ServedScriptFile, grace: Int64) -> Int64 {
        if let until = row.servedUntilEpochSeconds { return until }
        let (end, overflow) = row.seenAtEpochSeconds.addingReportingOverflow(grace)
        return overflow ? .max : end
    }

    static func order(_ x: NodeDisagreement, _ y: NodeDisagreement) -> Bool {
        let (keyX, keyY) = (sortKey(x), sortKey(y))
        return keyX == keyY ? x.fromEpochSeconds < y.fromEpochSeconds : keyX.lexicographicallyPrecedes(keyY)
    }

    static func sortKey(_ disagreement: NodeDisagreement) -> [String] {
        [
            disagreement.folder.rawValue, disagreement.file, disagreement.first.node, disagreement.first.version, disagreement.second.node,
            disagreement.second.version,
        ]
    }

    struct FileKey: Hashable {
        var folder: ScriptFileVersion.Folder
        var name: String
    }

    /// A pair of (node, version) for one file, in a canonical order.
    struct Key: Hashable {
        var file: FileKey
        var first: NodeDisagreement.Side
        var second: NodeDisagreement.Side

        init(file: FileKey, a: NodeDisagreement.Side, b: NodeDisagreement.Side) {
            self.file = file
            let ordered = (a.node, a.version) < (b.node, b.version)
            first = ordered ? a : b
            second = ordered ? b : a
        }
    }
}
