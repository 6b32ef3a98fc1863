import Foundation
import Testing

@testable import Experiments

/// What a report says about the script versions its users were exposed under, the nodes that
/// disagreed, and the `--by-version` sections.
@Suite("report versions")
struct ReportVersionsTests {
    let comments = MetricDefinition(id: "comments", kind: .mean(.init(event: "comment.created")))
    static let start: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z
    static let v1 = "1111111111111111", v2 = "2222222222222222", plugin = "aaaaaaaaaaaaaaaa"

    static func row(_ experiment: String?, _ plugin: String?, users: [Int], file: String? = nil) -> ExperimentReport.VersionRow {
        ExperimentReport.VersionRow(
            version: ExposureVersion(experimentVersion: experiment, pluginVersion: plugin), experimentFile: file, pluginFile: nil,
            users: users.reduce(0, +), usersPerVariant: users, firstExposedAtEpochSeconds: start, lastExposedAtEpochSeconds: start + 60)
    }

    func report(phase: Int = 1, versions: [ExperimentReport.VersionRow]) -> ExperimentReport {
        var definition = spec(primary: "comments")
        definition.phase = phase
        let control = observations("control", values: [1, 2, 3, 4], metric: "comments")
        let treatment = observations("treatment", values: [2, 3, 4, 5], metric: "comments")
        return ExperimentAnalyzer.analyze(
            .init(
                spec: definition, metrics: [comments], variants: [control, treatment], status: .running,
                analyzedAtEpochSeconds: Self.start + 3_600, versions: versions))
    }

    @Test("one version, or one experiment version under a plugin and the API, is no caution")
    func oneVersion() {
        let single = report(versions: [Self.row(Self.v1, Self.plugin, users: [2, 2])])
        #expect(!single.summary.contains("Caution") && !ReportHTML.render(single).contains("more than one version"))
        // The same files, some users exposed by the circle's rule and some through the API.
        let apiToo = report(versions: [Self.row(Self.v1, nil, users: [1, 1]), Self.row(Self.v1, Self.plugin, users: [1, 1])])
        #expect(!ExperimentReport.spansVersions(apiToo.versions) && !apiToo.summary.contains("Caution"))
    }

    @Test("two experiment versions are listed with their users, under the phase, in the summary and the page")
    func twoVersions() {
        let spanning = report(
            phase: 3,
            versions: [
                Self.row(Self.v1, Self.plugin, users: [2, 1], file: "campus-comment-credit.lua"),
                Self.row(Self.v2, Self.plugin, users: [0, 1]),
                Self.row(nil, nil, users: [1, 0]),
            ])
        #expect(spanning.phase == 3)
        #expect(
            spanning.summary.hasSuffix(
                "Caution: the data spans experiment versions unrecorded (1 user), \(Self.v1) (3 users), \(Self.v2) (1 user); "
                    + "each user counts under the versions of their first exposure in phase 3."))
        let page = ReportHTML.render(spanning)
        #expect(page.contains("<h2>Versions (phase 3)</h2>"))
        #expect(page.contains("The data spans more than one version"))
        #expect(page.contains("<td><code>\(Self.v1)</code> <span class=\"meta\">campus-comment-credit.lua</span></td>"))
        #expect(page.contains("<span class=\"meta\">unrecorded</span>"))
        #expect(page.contains("Only phase 3's exposures count"))
    }

    @Test("nodes that disagreed are a caution in the summary and a table on the page")
    func nodes() {
        var disagreeing = report(versions: [Self.row(Self.v1, Self.plugin, users: [2, 2])])
        disagreeing.nodeDisagreements = [
            NodeDisagreement(
                evidence: .served, folder: .experiments, file: "e.lua", first: .init(node: "node-0", version: Self.v1),
                second: .init(node: "node-1", version: Self.v2), fromEpochSeconds: Self.start, untilEpochSeconds: Self.start + 90),
            NodeDisagreement(
                evidence: .exposures, folder: .experiments, file: "e.lua", first: .init(node: "node-0", version: Self.v1),
                second: .init(node: "node-1", version: Self.v2), fromEpochSeconds: Self.start, untilEpochSeconds: Self.start + 30),
        ]
        let summary = ReportSummary.sentence(for: disagreeing)
        #expect(
            summary.hasSuffix(
                "Caution: nodes node-0 and node-1 served different versions of experiments/e.lua "
                    + "(\(Self.v1) and \(Self.v2)) for 90 s at once (and 1 more disagreement)."))
        let page = ReportHTML.render(disagreeing)
        #expect(page.contains("<h2>Nodes disagreed</h2>"))
        #expect(
            page.contains(
                "<td>node-1 · <code>\(Self.v2)</code></td><td class=\"when\">2026-01-01T00:00:00Z</td><td class=\"when\">2026-01-01T00:01:30Z</td><td>the nodes' records</td>"
            ))
        #expect(page.contains("<td>the exposures</td>"))
    }

    @Test("by-version sections render and survive report.json")
    func sections() throws {
        var whole = report(versions: [Self.row(Self.v1, Self.plugin, users: [2, 2]), Self.row(Self.v2, Self.plugin, users: [2, 2])])
        let section = report(versions: [Self.row(Self.v2, Self.plugin, users: [2, 2])])
        whole.versionSections = [
            ExperimentReport.VersionSection(
                version: ExposureVersion(experimentVersion: Self.v2, pluginVersion: Self.plugin),
                report: section)
        ]
        let page = ReportHTML.render(whole)
        #expect(page.contains("<h2>By version</h2>"))
        #expect(page.contains("<h3>experiment <code>\(Self.v2)</code> · plugin <code>\(Self.plugin)</code></h3>"))
        #expect(page.contains("control: 4 users · treatment: 4 users"))
        let decoded = try JSONDecoder().decode(ExperimentReport.self, from: JSONEncoder().encode(whole))
        #expect(decoded == whole)
    }
}
