import Testing

@testable import Experiments

/// report.html's Lifecycle section: what the service did with the experiment, from
/// `ExperimentReport.lifecycle`.
@Suite("report.html lifecycle")
struct ReportHTMLLifecycleTests {
    let comments = MetricDefinition(id: "comments", kind: .mean(.init(event: "comment.created")))
    static let hour: Int64 = 3_600
    static let start: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z

    func report(status: ExperimentStatus, lifecycle: ExperimentReport.Lifecycle?) -> ExperimentReport {
        let control = observations("control", values: [1, 2, 3, 4], metric: "comments")
        let treatment = observations("treatment", values: [2, 3, 4, 5], metric: "comments")
        var report = ExperimentAnalyzer.analyze(.init(spec: spec(primary: "comments"), metrics: [comments], variants: [control, treatment],
                                                      status: status, analyzedAtEpochSeconds: Self.start + 10 * Self.hour))
        report.lifecycle = lifecycle
        return report
    }

    static let ramp = [RampStep(traffic: 0.01, holdSeconds: 2 * hour), RampStep(traffic: 0.05, holdSeconds: 6 * hour),
                       RampStep(traffic: 0.25, holdSeconds: 24 * hour), RampStep(traffic: 0.5)]

    static func change(_ kind: ExperimentChange.Kind, revision: Int64, step: Int, traffic: Double, at: Int64, actor: String = "watcher",
                       reason: String, evidence: [String] = [], status: ExperimentStatus = .running) -> ExperimentChange {
        ExperimentChange(experimentID: "exp", revision: revision, kind: kind, status: status, step: step, traffic: traffic,
                         atEpochSeconds: at, actor: actor, reason: reason, evidence: evidence)
    }

    @Test("a ramping experiment shows its status, 'step 2 of 4' with its traffic, the ramp, the history and the next check")
    func running() {
        let changes = [
            Self.change(.started, revision: 1, step: 0, traffic: 0.01, at: Self.start, reason: "started at 1% traffic"),
            Self.change(.advanced, revision: 2, step: 1, traffic: 0.05, at: Self.start + 2 * Self.hour,
                        reason: "step 1 held and every guardrail is clear: 1% → 5%",
                        evidence: ["report_rate ok: within bounds", "exposed: control 120, treatment 118"]),
        ]
        let lifecycle = ExperimentReport.Lifecycle(step: 1, traffic: 0.05, ramp: Self.ramp, minExposedPerVariant: 100, shippedVariant: nil,
                                                   changes: changes, nextCheckAtEpochSeconds: Self.start + 10 * Self.hour + 600)
        let page = ReportHTML.render(report(status: .running, lifecycle: lifecycle))
        #expect(page.contains("<h2>Lifecycle</h2>"))
        #expect(page.contains("Status <strong>running</strong> · step 2 of 4 · serving 5% of eligible users"))
        #expect(page.contains("Step 2 since 2026-01-01T02:00:00Z; its hold ends 2026-01-01T08:00:00Z"))
        #expect(page.contains("Next check: <strong>2026-01-01T10:10:00Z</strong>"))
        // The ramp: a chart and a table marking the current step.
        #expect(page.contains("aria-label=\"ramp: traffic per step\""))
        #expect(page.contains("step 3 · hold 24 h") && page.contains("step 4 · until decided"))
        #expect(page.contains("<tr class=\"current\"><td>2</td><td class=\"num\">5%</td><td class=\"num\">6 h</td><td>current</td></tr>"))
        #expect(page.contains("<td>1</td><td class=\"num\">1%</td><td class=\"num\">2 h</td><td>done</td>"))
        // The history, oldest first, with who, why and on what evidence.
        let started = page.range(of: "started at 1% traffic")
        let advanced = page.range(of: "1% → 5%")
        #expect(started != nil && advanced != nil && started!.lowerBound < advanced!.lowerBound)
        #expect(page.contains("<td class=\"when\">2026-01-01T02:00:00Z</td><td>advanced</td><td>watcher</td><td class=\"num\">2 · 5%</td>"))
        #expect(page.contains("<li>exposed: control 120, treatment 118</li>"))
        // The lifecycle comes before the variants.
        #expect(page.range(of: "<h2>Lifecycle</h2>")!.lowerBound < page.range(of: "<h2>Variants</h2>")!.lowerBound)
    }

    @Test("a stop by a person shows who and why, escaped, and no next check")
    func stoppedAndEscaped() {
        let hostile = "<script>alert(1)</script> & \"quotes\""
        let changes = [
            Self.change(.started, revision: 1, step: 0, traffic: 0.01, at: Self.start, reason: "started at 1% traffic"),
            Self.change(.stopped, revision: 2, step: 0, traffic: 0, at: Self.start + Self.hour, actor: "admin:<img src=x>", reason: hostile,
                        evidence: ["<b>evidence</b>"], status: .stopped),
        ]
        let lifecycle = ExperimentReport.Lifecycle(step: 0, traffic: 0, ramp: Self.ramp, minExposedPerVariant: 100, shippedVariant: nil,
                                                   changes: changes, nextCheckAtEpochSeconds: nil)
        let page = ReportHTML.render(report(status: .stopped, lifecycle: lifecycle))
        #expect(!page.contains("<script") && !page.contains("<img") && !page.contains("<b>evidence"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"))
        #expect(page.contains("admin:&lt;img src=x&gt;") && page.contains("<li>&lt;b&gt;evidence&lt;/b&gt;</li>"))
        #expect(page.contains("<td class=\"bad\">stopped</td>"))
        #expect(page.contains("Status <strong>stopped</strong> · step 1 of 4 · serving 0% of eligible users"))
        #expect(page.contains("Next check: none (the experiment is stopped)."))
    }

    @Test("a shipped experiment without a ramp names the variant and says the traffic holds")
    func shippedNoRamp() {
        var ship = Self.change(.shipped, revision: 1, step: 0, traffic: 1, at: Self.start, actor: "cli", reason: "treatment won",
                               status: .shipped)
        ship.variant = "treat<ment>"
        let lifecycle = ExperimentReport.Lifecycle(step: 0, traffic: 1, ramp: [], minExposedPerVariant: 100, shippedVariant: "treat<ment>",
                                                   changes: [ship], nextCheckAtEpochSeconds: nil)
        let page = ReportHTML.render(report(status: .shipped, lifecycle: lifecycle))
        #expect(page.contains("(variant <strong>treat&lt;ment&gt;</strong> for every targeted user) · step 1 of 1 · serving 100%"))
        #expect(page.contains("no ramp: the declared traffic holds"))
        #expect(!page.contains("aria-label=\"ramp: traffic per step\""))
        #expect(page.contains("<td class=\"ok\">shipped treat&lt;ment&gt;</td>"))
    }

    @Test("without lifecycle data the page has no Lifecycle section; with no change yet it says so")
    func absentAndEmpty() {
        #expect(!ReportHTML.render(report(status: .running, lifecycle: nil)).contains("Lifecycle"))
        let lifecycle = ExperimentReport.Lifecycle(step: 0, traffic: 0.01, ramp: Self.ramp, minExposedPerVariant: 100, shippedVariant: nil,
                                                   changes: [], nextCheckAtEpochSeconds: nil)
        let page = ReportHTML.render(report(status: .running, lifecycle: lifecycle))
        #expect(page.contains("No change recorded yet"))
        #expect(page.contains("Next check: none (no watcher ran in the process that made this report)."))
    }

    @Test("traffic shares and holds read naturally")
    func formatting() {
        #expect(ReportHTML.trafficPercent(0.01) == "1%" && ReportHTML.trafficPercent(0.005) == "0.5%" && ReportHTML.trafficPercent(0.125) == "12.5%")
        #expect(ReportHTML.hours(7_200) == "2 h" && ReportHTML.hours(5_400) == "1.5 h" && ReportHTML.hours(1_800) == "30 min")
    }
}
