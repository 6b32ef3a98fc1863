import Core
import Experiments
import Foundation
import LuaHost
import Social
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
                        checkNodes: Bool = false, segments: Bool = false) throws(QuanziError) -> ExperimentReport {
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
        input.caps = observations.caps
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
        if segments, !spec.segments.isEmpty, let perUser = observations.perUser {
            report.segments = try segmentBreakdown(spec, input: input, perUser: perUser, engine: scripts.experimentEngine)
        }
        report.lifecycle = try lifecycleSection(spec)
        report.summary = ReportSummary.sentence(for: report)
        return report
    }

    /// Profiles read per statement for the breakdown.
    static let segmentProfileChunk = 5_000

    /// Every metric per value of each declared segment, each analysed user placed by their
    /// profile as it was at their first exposure (a user whose profile is gone counts as "none").
    func segmentBreakdown(_ spec: ExperimentSpec, input: ExperimentAnalyzer.Input, perUser: MetricTally,
                          engine: ExperimentEngine) throws(QuanziError) -> [ExperimentReport.SegmentBreakdown] {
        let values = try segmentValues(spec, users: perUser.analysedUsers, engine: engine)
        return Self.segmentBreakdown(values: values, spec: spec, input: input, perUser: perUser)
    }

    /// Each user's value of each of `spec`'s segments (in its segment order), evaluated on the
    /// profile as it was at `firstExposedAtEpochSeconds`; a user without a profile has none.
    public func segmentValues(_ spec: ExperimentSpec, users analysed: [(userID: UserID, firstExposedAtEpochSeconds: Int64)],
                              engine: ExperimentEngine? = nil) throws(QuanziError) -> [[String?]] {
        let engine = engine ?? holder.generation.experimentEngine
        var profiles: [UserID: UserProfile] = [:]
        profiles.reserveCapacity(analysed.count)
        var start = 0
        while start < analysed.count {
            let chunk = analysed[start..<min(analysed.count, start + Self.segmentProfileChunk)].map(\.userID)
            for profile in try QuanziError.wrapping({ try users.users(chunk) }) { profiles[profile.id] = profile }
            start += Self.segmentProfileChunk
        }
        var subjects: [SegmentSubject] = []
        var subjectOfUser: [Int?] = []
        subjects.reserveCapacity(analysed.count)
        for user in analysed {
            guard let profile = profiles[user.userID] else {
                subjectOfUser.append(nil)
                continue
            }
            subjectOfUser.append(subjects.count)
            subjects.append(SegmentSubject(user: profile, atEpochSeconds: user.firstExposedAtEpochSeconds))
        }
        let evaluated = try engine.segmentValues(subjects, experiment: spec.id)
        return subjectOfUser.map { index in index.map { evaluated[$0] } ?? [] }
    }

    /// The breakdown from each analysed user's segment values (`values[i]` for
    /// `perUser.analysedUsers[i]`): pure, so a calibration can split the same users many times.
    public static func segmentBreakdown(values: [[String?]], spec: ExperimentSpec, input: ExperimentAnalyzer.Input,
                                        perUser: MetricTally) -> [ExperimentReport.SegmentBreakdown] {
        var groups: [SegmentGroup] = []
        for (segment, segmentGroups) in ExperimentAnalyzer.segmentGroups(segments: spec.segments.map(\.name), values: values) {
            let observations = perUser.groupObservations(segmentGroups.map(\.users))
            for (group, observed) in zip(segmentGroups, observations) {
                groups.append(SegmentGroup(segment: segment, value: group.value, variants: observed.variants))
            }
        }
        return ExperimentAnalyzer.segments(groups, input: input)
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
        let jsonPath = (directory as NSString).appendingPathComponent("report.json")
        let htmlPath = (directory as NSString).appendingPathComponent("report.html")
        try report.jsonData().write(to: URL(fileURLWithPath: jsonPath))
        try Data(ReportHTML.render(report).utf8).write(to: URL(fileURLWithPath: htmlPath))
        return (jsonPath, htmlPath)
    }
}
