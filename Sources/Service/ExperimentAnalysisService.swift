import Core
import Experiments
import Foundation
import LuaHost
import StorageModel

extension ExperimentService {
    /// Analyses `experimentID` from the events table. A running experiment whose guardrail is
    /// violated is stopped here (everyone gets control from now on) and the report says when
    /// and why: `quanzi ab analyze` and the service apply guardrails the same way.
    public func analyze(_ experimentID: String, now: Int64, applyGuardrails: Bool = true) throws(QuanziError) -> ExperimentReport {
        let spec = try engine.spec(experimentID)
        let metrics = spec.allMetrics.compactMap { experiments.metric($0) }
        let forced = Set(forcedUsers(experiment: experimentID))
        let stopped = try QuanziError.wrapping { try store.stateChanges()[experimentID] }
        // A stopped experiment is analysed up to its stop, so its report stays what it was.
        let observations = try QuanziError.wrapping {
            try metricReader.observations(for: spec, metrics: metrics, excluding: forced, before: stopped.flatMap { $0.status == "stopped" ? $0.changedAtEpochSeconds : nil })
        }
        var input = ExperimentAnalyzer.Input(
            spec: spec, metrics: metrics, variants: observations.variants, timeline: observations.timeline,
            forcedUsersExcluded: observations.forcedUsersExcluded, status: status(of: spec), analyzedAtEpochSeconds: now,
            stoppedAtEpochSeconds: stopped?.changedAtEpochSeconds, stopReason: stopped?.reason)
        var report = ExperimentAnalyzer.analyze(input)
        if applyGuardrails, status(of: spec) == .running,
            let violated = report.guardrails.first(where: { $0.verdict == .violated })
        {
            let reason = "guardrail \(violated.metric): \(violated.explanation)"
            try stop(experimentID, reason: reason, at: now)
            input.status = .stopped
            input.stoppedAtEpochSeconds = now
            input.stopReason = reason
            report = ExperimentAnalyzer.analyze(input)
        }
        return report
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
