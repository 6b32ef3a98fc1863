import Core
import Experiments
import Social

/// What replacing one loaded set of scripts by another would change, as `quanzi check --diff`
/// shows it before a reload: files with their old and new versions, circles whose rules or fields
/// changed, experiments whose users would move between variants (and whether a reload refuses
/// that), and the changes that move nobody. Pure: both sets are already loaded and validated.
public struct ScriptSetDiff: Sendable, Hashable, CustomStringConvertible {
    /// A file added, removed or edited, named by its folder and file name (an old checkout's
    /// files live under another path, but are the same files).
    public struct FileEdit: Sendable, Hashable {
        public var folder: ScriptVersions.Folder
        public var name: String
        /// Nil when the file is new.
        public var oldVersion: String?
        /// Nil when the file is gone.
        public var newVersion: String?
    }

    /// A circle both sets declare, with what changed in it.
    public struct CircleEdit: Sendable, Hashable {
        public var id: CircleID
        /// The declaration in the new set.
        public var location: SourceLocation
        /// Actions whose rule function's text differs.
        public var rulesChanged: [CircleAction]
        public var rulesAdded: [CircleAction]
        public var rulesRemoved: [CircleAction]
        /// Every other change, in words (`ranking.w_affinity 1.5 → 2`).
        public var changes: [String]
    }

    /// An experiment both sets declare, with what changed in it.
    public struct ExperimentEdit: Sendable, Hashable {
        public var id: String
        /// The declaration in the new set.
        public var location: SourceLocation
        public var oldStatus: ExperimentStatus
        public var newStatus: ExperimentStatus
        public var oldPhase: Int
        public var newPhase: Int
        /// Whether the old experiment was live (running or shipped), so that its users matter.
        public var wasLive: Bool
        /// Each way the edit moves users between variants (``AssignmentEdit/movesUsers(from:to:)``).
        public var movesUsers: [String]
        /// Why a reload refuses the edit (``AssignmentEdit/refusal(from:to:)``), nil when it may go ahead.
        public var refusal: String?
        /// Changes that move nobody between variants, in words (`traffic 10% → 20%`).
        public var changes: [String]
    }

    /// The version of the whole old set and of the new (``ScriptVersions/setVersion``).
    public let oldVersion: String
    public let newVersion: String
    /// Plugins first, then experiments, each by name.
    public let files: [FileEdit]
    public let circlesAdded: [CircleDefinition]
    public let circlesRemoved: [CircleDefinition]
    public let circlesChanged: [CircleEdit]
    public let experimentsAdded: [ExperimentSpec]
    public let experimentsRemoved: [ExperimentSpec]
    public let experimentsChanged: [ExperimentEdit]
    public let metricsAdded: [String]
    public let metricsRemoved: [String]
    public let metricsChanged: [String]
    /// What a reload refuses, at the new files' declarations (``ReloadCompatibility/problems(old:new:isLive:)``).
    public let problems: [PluginProblem]

    /// Live by the old files alone: what a file says when nobody has changed the experiment at
    /// run time (the service's recorded lifecycle may differ, and decides at a real reload).
    public static func isLiveByFile(_ spec: ExperimentSpec) -> Bool { spec.status == .running || spec.status == .shipped }

    /// Compares the sets; `isLive` says which old experiments are running or shipped.
    public init(
        old: (plugins: PluginSet, experiments: ExperimentSet), new: (plugins: PluginSet, experiments: ExperimentSet),
        isLive: (ExperimentSpec) -> Bool = ScriptSetDiff.isLiveByFile
    ) {
        let oldVersions = ScriptVersions(plugins: old.plugins, experiments: old.experiments)
        let newVersions = ScriptVersions(plugins: new.plugins, experiments: new.experiments)
        oldVersion = oldVersions.setVersion
        newVersion = newVersions.setVersion
        files = Self.fileEdits(old: oldVersions, new: newVersions)

        let oldCircles = Dictionary(uniqueKeysWithValues: old.plugins.circles.map { ($0.id, $0) })
        let newCircleIDs = Set(new.plugins.circles.map(\.id))
        circlesAdded = new.plugins.circles.filter { oldCircles[$0.id] == nil }
        circlesRemoved = old.plugins.circles.filter { !newCircleIDs.contains($0.id) }
        circlesChanged = new.plugins.circles.compactMap { circle in
            oldCircles[circle.id].flatMap { Self.circleEdit(old: $0, in: old.plugins, new: circle, in: new.plugins) }
        }

        let newExperimentIDs = Set(new.experiments.experiments.map(\.id))
        experimentsAdded = new.experiments.experiments.filter { old.experiments.experiment($0.id) == nil }
        experimentsRemoved = old.experiments.experiments.filter { !newExperimentIDs.contains($0.id) }
        experimentsChanged = new.experiments.experiments.compactMap { spec in
            old.experiments.experiment(spec.id).flatMap {
                Self.experimentEdit(old: $0, in: old.experiments, new: spec, in: new.experiments, isLive: isLive)
            }
        }

        let oldMetrics = Dictionary(uniqueKeysWithValues: old.experiments.metrics.map { ($0.id, $0) })
        let newMetricIDs = Set(new.experiments.metrics.map(\.id))
        metricsAdded = new.experiments.metrics.map(\.id).filter { oldMetrics[$0] == nil }
        metricsRemoved = old.experiments.metrics.map(\.id).filter { !newMetricIDs.contains($0) }
        metricsChanged = new.experiments.metrics.filter { metric in oldMetrics[metric.id].map { $0 != metric } ?? false }.map(\.id)

        problems = ReloadCompatibility.problems(old: old.experiments, new: new.experiments, isLive: isLive)
    }

    /// Whether a reload from the old set to the new would be accepted.
    public var isAccepted: Bool { problems.isEmpty }

    /// Whether the two sets are the same files.
    public var isEmpty: Bool { files.isEmpty }

    private static func fileEdits(old: ScriptVersions, new: ScriptVersions) -> [FileEdit] {
        struct Key: Hashable {
            var folder: ScriptVersions.Folder
            var name: String
        }
        let oldByKey = Dictionary(old.files.map { (Key(folder: $0.folder, name: $0.name), $0.version) }, uniquingKeysWith: { first, _ in first })
        let newByKey = Dictionary(new.files.map { (Key(folder: $0.folder, name: $0.name), $0.version) }, uniquingKeysWith: { first, _ in first })
        return Set(oldByKey.keys).union(newByKey.keys)
            .filter { oldByKey[$0] != newByKey[$0] }
            // Plugins before experiments, as ScriptVersions lists them, then by name.
            .sorted { ($0.folder == .plugins ? 0 : 1, $0.name) < ($1.folder == .plugins ? 0 : 1, $1.name) }
            .map { FileEdit(folder: $0.folder, name: $0.name, oldVersion: oldByKey[$0], newVersion: newByKey[$0]) }
    }

    // MARK: Text

    public var description: String {
        guard !isEmpty else { return "no changes: both sets are version \(newVersion)" }
        var lines = ["scripts \(oldVersion) → \(newVersion)", "files"]
        for file in files {
            let path = "\(file.folder.rawValue)/\(file.name)"
            switch (file.oldVersion, file.newVersion) {
            case (let old?, let new?): lines.append("  changed  \(path)  \(old) → \(new)")
            case (nil, let new?): lines.append("  added    \(path)  → \(new)")
            case (let old?, nil): lines.append("  removed  \(path)  \(old) →")
            case (nil, nil): break
            }
        }
        if !circlesAdded.isEmpty || !circlesRemoved.isEmpty || !circlesChanged.isEmpty {
            lines.append("circles")
            lines += circlesAdded.map { "  added    \($0.id)  \($0.location)" }
            lines += circlesRemoved.map { "  removed  \($0.id)" }
            lines += circlesChanged.flatMap(Self.lines)
        }
        if !experimentsAdded.isEmpty || !experimentsRemoved.isEmpty || !experimentsChanged.isEmpty {
            lines.append("experiments")
            lines += experimentsAdded.map { spec in
                "  added    \(spec.id)  \(spec.file):\(spec.line)  (\(spec.status.rawValue), phase \(spec.phase)"
                    + (spec.status == .running ? ": assigns users from the reload on)" : ")")
            }
            lines += experimentsRemoved.map { "  removed  \($0.id)  (was \($0.status.rawValue))" }
            lines += experimentsChanged.flatMap(Self.lines)
        }
        if !metricsAdded.isEmpty || !metricsRemoved.isEmpty || !metricsChanged.isEmpty {
            lines.append("metrics")
            lines += metricsAdded.map { "  added    \($0)" }
            lines += metricsRemoved.map { "  removed  \($0)" }
            lines += metricsChanged.map { "  changed  \($0)  (what it counts: every experiment reporting it is analysed anew)" }
        }
        return lines.joined(separator: "\n")
    }

    private static func lines(_ edit: CircleEdit) -> [String] {
        var lines = ["  changed  \(edit.id)  \(edit.location)"]
        if !edit.rulesChanged.isEmpty { lines.append("    rules changed: \(edit.rulesChanged.map(\.rawValue).joined(separator: ", "))") }
        if !edit.rulesAdded.isEmpty { lines.append("    rules added: \(edit.rulesAdded.map(\.rawValue).joined(separator: ", "))") }
        if !edit.rulesRemoved.isEmpty {
            lines.append("    rules removed (the action is denied from the reload on): \(edit.rulesRemoved.map(\.rawValue).joined(separator: ", "))")
        }
        lines += edit.changes.map { "    " + $0 }
        return lines
    }

    private static func lines(_ edit: ExperimentEdit) -> [String] {
        var headline = "  changed  \(edit.id)  \(edit.location)  (\(edit.oldStatus.rawValue)"
        if edit.newStatus != edit.oldStatus { headline += " → \(edit.newStatus.rawValue)" }
        headline += ", phase \(edit.oldPhase)" + (edit.newPhase != edit.oldPhase ? " → \(edit.newPhase))" : ")")
        var lines = [headline]
        if edit.newPhase > edit.oldPhase {
            lines.append("    new phase \(edit.newPhase): a fresh analysis window (exposures and metrics of earlier phases are left out)")
        }
        if edit.movesUsers.isEmpty {
            if !edit.changes.isEmpty && edit.changes != [experimentChangedElsewhere] { lines.append("    moves nobody between variants") }
        } else {
            lines.append("    moves users between variants: \(edit.movesUsers.joined(separator: "; "))")
        }
        if let refusal = edit.refusal {
            lines.append("    refused: \(refusal)")
        } else if !edit.movesUsers.isEmpty {
            lines.append("    allowed: " + (edit.wasLive ? "the new phase starts a fresh analysis window" : "not live, so nobody's analysis mixes two assignments"))
        }
        lines += edit.changes.map { "    " + $0 }
        return lines
    }
}
