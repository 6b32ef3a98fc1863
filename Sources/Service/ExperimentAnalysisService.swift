import Core
import Experiments
import Foundation
import LuaHost
import StorageModel

extension ExperimentService {
    /// Analyses `experimentID` from the events table. A running experiment whose guardrail is
    /// violated is stopped here (everyone gets control from now on) and the report says when
    /// and why: `quanzi ab analyze` and the service apply guardrails the same way. A stopped or
    /// shipped experiment is analysed up to that decision, so its report stays what it was.
    /// `sequentialGuardrails` judges with always-valid intervals (a copy of the spec with
    /// `sequential` set), as the watcher does because it looks often.
    ///
    /// Only the current phase's exposures count. The report lists the versions the users were
    /// first exposed under; `byVersion` adds one analysis per combination of versions, and
    /// `checkNodes` (PostgreSQL) the nodes that served the experiment's scripts at different
    /// versions at once.
    public func analyze(_ experimentID: String, now: Int64, applyGuardrails: Bool = true, sequential: Bool = false,
                        actor: String = "ab analyze", reader: (any MetricReading)? = nil, byVersion: Bool = false,
                        checkNodes: Bool = false) throws(QuanziError) -> ExperimentReport {
        let metricReader = reader ?? self.metricReader
        let scripts = holder.generation
        var spec = try scripts.experimentEngine.spec(experimentID)
        if sequential { spec.sequential = true }
        let metrics = spec.allMetrics.compactMap { scripts.experimentSet.metric($0) }
        let forced = Set(forcedUsers(experiment: experimentID))
        let lifecycle = currentLifecycle(of: spec)
        let decided = lifecycle.status == .stopped || lifecycle.status == .shipped
        let decidedAt = decided ? lifecycle.changedAtEpochSeconds : nil
        let observations = try QuanziError.wrapping {
            try metricReader.observations(for: spec, metrics: metrics, excluding: forced, before: decidedAt, splitByVersion: byVersion)
        }
        var input = ExperimentAnalyzer.Input(
            spec: spec, metrics: metrics, variants: observations.variants, timeline: observations.timeline,
            forcedUsersExcluded: observations.forcedUsersExcluded, status: lifecycle.status, analyzedAtEpochSeconds: now,
            stoppedAtEpochSeconds: decidedAt, stopReason: decided ? lifecycle.reason : nil, versions: observations.versions)
        var report = ExperimentAnalyzer.analyze(input)
        if applyGuardrails, lifecycle.status == .running,
            let violated = report.guardrails.first(where: { $0.verdict == .violated })
        {
            let reason = "guardrail \(violated.metric): \(violated.explanation)"
            try stop(experimentID, reason: reason, at: now, actor: actor)
            input.status = .stopped
            input.stoppedAtEpochSeconds = now
            input.stopReason = reason
            report = ExperimentAnalyzer.analyze(input)
        }
        let window = analysisWindow(observations.versions, end: input.stoppedAtEpochSeconds ?? now)
        let served = checkNodes ? try servedFiles(during: window) : []
        let files = VersionFiles(scripts: scripts, served: served)
        report.versions = files.label(report.versions)
        if byVersion {
            report.versionSections = observations.byVersion.map { slice in
                var sliceInput = input
                sliceInput.variants = slice.observations.variants
                sliceInput.timeline = slice.observations.timeline
                sliceInput.forcedUsersExcluded = 0
                sliceInput.versions = files.label(slice.observations.versions)
                return ExperimentReport.VersionSection(version: slice.version, report: ExperimentAnalyzer.analyze(sliceInput))
            }
        }
        if checkNodes {
            report.nodeDisagreements = try nodeDisagreements(spec, window: window, served: served)
        }
        report.lifecycle = try lifecycleSection(spec)
        report.summary = ReportSummary.sentence(for: report)
        return report
    }

    /// The report's view of the service's lifecycle: step, traffic, changes, next look.
    public func lifecycleSection(_ spec: ExperimentSpec) throws(QuanziError) -> ExperimentReport.Lifecycle {
        let lifecycle = currentLifecycle(of: spec)
        return ExperimentReport.Lifecycle(
            step: lifecycle.step, traffic: currentTraffic(of: spec), ramp: spec.ramp, minExposedPerVariant: spec.minExposedPerVariant,
            shippedVariant: lifecycle.shippedVariant, changes: try changes(of: spec.id),
            nextCheckAtEpochSeconds: lifecycle.status == .running ? nextCheckAtEpochSeconds : nil)
    }

    /// Users forced into a variant of `experiment` (excluded from analysis).
    public func forcedUsers(experiment: String) -> [UserID] {
        ((try? store.overrides()[experiment]) ?? [:]).keys.sorted()
    }
}

/// Writes `report.json` and `report.html` into a folder.
public enum ReportWriter {
    public static func write(_ report: ExperimentReport, to directory: String) throws -> (json: String, html: String) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let jsonPath = (directory as NSString).appendingPathComponent("report.json")
        let htmlPath = (directory as NSString).appendingPathComponent("report.html")
        try encoder.encode(report).write(to: URL(fileURLWithPath: jsonPath))
        try Data(ReportHTML.render(report).utf8).write(to: URL(fileURLWithPath: htmlPath))
        return (jsonPath, htmlPath)
    }
}
