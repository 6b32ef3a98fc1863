import Foundation

/// `report.html`: one self-contained page (inline CSS and SVG, no scripts, nothing fetched), so
/// it can be mailed, archived, or opened from a CI artifact. Deterministic for a given report.
public enum ReportHTML {
    static let palette = ["#4a5568", "#2b6cb0", "#c05621", "#2f855a", "#6b46c1"]

    /// The report's stylesheet (the console's experiment page uses it too).
    public static let styles = """
            body{font:15px/1.5 -apple-system,"Segoe UI",Roboto,"Noto Sans CJK SC",sans-serif;margin:2em auto;max-width:960px;color:#1a202c;padding:0 1em}
            h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #e2e8f0;padding-bottom:.2em}
            .meta{color:#718096}.summary{font-size:1.1em;background:#f7fafc;border-left:4px solid #2b6cb0;padding:.8em 1em}
            .badge{display:inline-block;border-radius:4px;padding:.1em .6em;font-weight:600;color:#fff}
            .ship{background:#2f855a}.do_not_ship,.stopped_by_guardrail{background:#c53030}.keep_running{background:#718096}
            .withheld_sample_ratio_mismatch{background:#b7791f}
            table{border-collapse:collapse;width:100%}td,th{padding:.35em .6em;border-bottom:1px solid #edf2f7;text-align:left}
            td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}.ok{color:#2f855a}.bad{color:#c53030}.warn{color:#b7791f}
            tr.current td{background:#ebf8ff;font-weight:600}td ul{margin:0;padding-left:1.1em}td.when{white-space:nowrap}
            .wide{overflow-x:auto}table.segments{font-size:.85em}table.segments td{white-space:nowrap}
            """

    public static func render(_ report: ExperimentReport) -> String {
        """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <title>\(escape(report.title ?? report.experimentID)) · Quanzi A/B report</title>
            <style>
            \(styles)
            </style></head><body>

            """ + body(report) + "</body></html>\n"
    }

    /// The report's content, from its title to its method note, without the page around it.
    public static func body(_ report: ExperimentReport) -> String {
        var html = ""
        html += "<h1>\(escape(report.title ?? report.experimentID))</h1>\n"
        html += "<p class=\"meta\">experiment <code>\(escape(report.experimentID))</code> · status \(escape(report.status)) · analysed \(date(report.analyzedAtEpochSeconds))"
        html += " · α = \(report.alpha) · \(report.sequential ? "sequential (always-valid) intervals" : "fixed-horizon tests") · correction \(escape(report.correction))</p>\n"
        html += "<p><span class=\"badge \(report.decision.rawValue)\">\(label(report.decision))</span></p>\n"
        html += "<p class=\"summary\">\(escape(report.summary))</p>\n"
        if let stopped = report.stoppedAtEpochSeconds {
            html += "<p class=\"bad\"><strong>Stopped automatically at \(date(stopped))</strong>: \(escape(report.stopReason ?? ""))</p>\n"
        }
        html += lifecycleSection(report)
        html += variantsSection(report)
        html += versionsSection(report)
        html += nodesSection(report)
        html += metricsSection(report)
        html += guardrailSection(report)
        html += timelineSection(report)
        html += powerSection(report)
        html += segmentsSection(report)
        html += byVersionSection(report)
        html += """
            <h2>Method</h2><p class="meta">Relative lift (treatment − control)/|control|, judged by a z-test whose variance is \
            pooled over both arms as if they did not differ (the variance over re-randomisations, which holds its level for rare, \
            skewed counts); the interval is every lift that test would not reject (\(report.sequential ? "always-valid" : "fixed-horizon") \
            critical value), with no upper bound while the control cannot be told from zero. Means and proportions per exposed user \
            (zero-filled), ratios of sums (linearised). Only phase \(report.phase)'s exposures count, and only events after a user's first \
            exposure in it; users forced into a variant for QA are excluded. Sample-ratio mismatch is flagged at p &lt; 0.001. \
            Primary and secondary metrics are corrected together (\(escape(report.correction))); guardrails are not corrected and \
            fire only when the whole interval lies beyond the allowed change. \(report.sequential ? sequentialNote : "")Chance to win, risk and the credible interval are GrowthBook's \
            Bayesian reading of the same data (\(priorText(report))): shown, never used to decide. Capped metrics lower each user's value to the cap \
            before the arms are compared. Quantile metrics use GrowthBook's quantile test (order-statistic bounds; clustered by user \
            for single events). Segment results are corrected together by Benjamini–Hochberg and never stop or ship anything.</p>

            """
        return html
    }

    /// Where the running service has the experiment: status, the current ramp step and its
    /// traffic, the ramp (a step chart and a table), every recorded change with who made it, why
    /// and on what evidence, and the next look. Nothing without `report.lifecycle`.
    static func lifecycleSection(_ report: ExperimentReport) -> String {
        guard let lifecycle = report.lifecycle else { return "" }
        let steps = max(1, lifecycle.ramp.count)
        let current = min(max(0, lifecycle.step), steps - 1)
        var html = "<h2>Lifecycle</h2>\n<p>Status <strong>\(escape(report.status))</strong>"
        if let shipped = lifecycle.shippedVariant { html += " (variant <strong>\(escape(shipped))</strong> for every targeted user)" }
        html += " · step \(current + 1) of \(steps) · serving \(trafficPercent(lifecycle.traffic)) of eligible users"
        if lifecycle.ramp.isEmpty { html += " · no ramp: the declared traffic holds" }
        html += "</p>\n"
        if let since = lifecycle.changes.last(where: { $0.kind == .started || $0.kind == .advanced }), report.status == "running" {
            html += "<p class=\"meta\">Step \(since.step + 1) since \(date(since.atEpochSeconds))"
            if let hold = lifecycle.ramp.indices.contains(since.step) ? lifecycle.ramp[since.step].holdSeconds : nil {
                let (end, overflow) = since.atEpochSeconds.addingReportingOverflow(hold)
                if !overflow { html += "; its hold ends \(date(end))" }
            }
            html += "; a step moves on only after its hold, with \(lifecycle.minExposedPerVariant)+ exposed users per variant and every guardrail clear.</p>\n"
        }
        if let next = lifecycle.nextCheckAtEpochSeconds {
            html += "<p>Next check: <strong>\(date(next))</strong></p>\n"
        } else {
            let why = report.status == "running" ? "no watcher ran in the process that made this report" : "the experiment is \(escape(report.status))"
            html += "<p class=\"meta\">Next check: none (\(why)).</p>\n"
        }
        if !lifecycle.ramp.isEmpty {
            html += rampChart(lifecycle.ramp, current: current, status: report.status)
            html += "<table><tr><th>step</th><th class=\"num\">traffic</th><th class=\"num\">held at least</th><th></th></tr>\n"
            for (index, step) in lifecycle.ramp.enumerated() {
                let now = index == current
                html += "<tr\(now ? " class=\"current\"" : "")><td>\(index + 1)</td><td class=\"num\">\(trafficPercent(step.traffic))</td>"
                html += "<td class=\"num\">\(step.holdSeconds.map(hours) ?? "until decided")</td><td>\(now ? "current" : index < current ? "done" : "")</td></tr>\n"
            }
            html += "</table>\n"
        }
        html += "<h3>History</h3>\n"
        guard !lifecycle.changes.isEmpty else {
            return html + "<p class=\"meta\">No change recorded yet: the experiment runs as its file declares.</p>\n"
        }
        html += "<table><tr><th>when</th><th>change</th><th>by</th><th class=\"num\">step · traffic</th><th>reason</th><th>evidence</th></tr>\n"
        for change in lifecycle.changes {
            let cls = change.kind == .stopped ? " class=\"bad\"" : change.kind == .shipped ? " class=\"ok\"" : ""
            var what = escape(change.kind.rawValue)
            if let variant = change.variant { what += " \(escape(variant))" }
            html += "<tr><td class=\"when\">\(date(change.atEpochSeconds))</td><td\(cls)>\(what)</td><td>\(escape(change.actor))</td>"
            html += "<td class=\"num\">\(change.step + 1) · \(trafficPercent(change.traffic))</td><td>\(escape(change.reason))</td><td>"
            if !change.evidence.isEmpty { html += "<ul>" + change.evidence.map { "<li>\(escape($0))</li>" }.joined() + "</ul>" }
            html += "</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// The ramp as a staircase: one bar per step, its height the traffic share, the current step
    /// filled, the steps done shaded and those to come outlined.
    static func rampChart(_ ramp: [RampStep], current: Int, status: String) -> String {
        let width = 900.0, height = 150.0, top = 20.0, bottom = 34.0, gap = 8.0
        let barWidth = (width - gap * Double(ramp.count + 1)) / Double(ramp.count)
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\" aria-label=\"ramp: traffic per step\">\n"
        svg += line(0, height - bottom, width, height - bottom, "#a0aec0")
        for (index, step) in ramp.enumerated() {
            let x = gap + Double(index) * (barWidth + gap)
            let barHeight = max(2, min(1, max(0, step.traffic)) * (height - top - bottom))
            let y = height - bottom - barHeight
            let style: String
            if index == current {
                style = status == "stopped" ? "fill=\"#c53030\"" : "fill=\"#2b6cb0\""
            } else if index < current {
                style = "fill=\"#90cdf4\""
            } else {
                style = "fill=\"none\" stroke=\"#a0aec0\" stroke-dasharray=\"4 3\""
            }
            svg += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(barWidth))\" height=\"\(fmt(barHeight))\" \(style)/>\n"
            svg += "<text x=\"\(fmt(x + barWidth / 2))\" y=\"\(fmt(y - 4))\" font-size=\"12\" text-anchor=\"middle\">\(trafficPercent(step.traffic))</text>\n"
            let label = "step \(index + 1) · " + (step.holdSeconds.map { "hold \(hours($0))" } ?? "until decided")
            svg += "<text x=\"\(fmt(x + barWidth / 2))\" y=\"\(fmt(height - bottom + 16))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#4a5568\">\(label)</text>\n"
            if index == current {
                svg += "<text x=\"\(fmt(x + barWidth / 2))\" y=\"\(fmt(height - 4))\" font-size=\"11\" text-anchor=\"middle\" font-weight=\"600\">current</text>\n"
            }
        }
        return svg + "</svg>\n"
    }

    /// A traffic share as a percentage without needless decimals: 1%, 0.5%, 25%.
    static func trafficPercent(_ share: Double) -> String {
        let value = share * 100
        if value == value.rounded() { return "\(Int(value))%" }
        return String(format: "%.3g%%", value)
    }

    /// A hold in hours (or minutes, under an hour).
    static func hours(_ seconds: Int64) -> String {
        if seconds < 3_600 { return "\(seconds / 60) min" }
        let hours = Double(seconds) / 3_600
        return hours == hours.rounded() ? "\(Int(hours)) h" : String(format: "%.1f h", hours)
    }

    static func variantsSection(_ report: ExperimentReport) -> String {
        var html = "<h2>Variants</h2><table><tr><th>variant</th><th class=\"num\">weight</th><th class=\"num\">exposed users</th></tr>\n"
        for variant in report.variants {
            html += "<tr><td>\(escape(variant.name))</td><td class=\"num\">\(String(format: "%.0f%%", variant.weight * 100))</td><td class=\"num\">\(variant.users)</td></tr>\n"
        }
        html += "</table>\n"
        if let srm = report.sampleRatio {
            let cls = srm.mismatch ? "bad" : "ok"
            let text = srm.mismatch ? "sample-ratio mismatch" : "split as configured"
            html += "<p class=\"\(cls)\">Sample ratio: \(text) (χ² = \(String(format: "%.2f", srm.chiSquare)), p = \(String(format: "%.3g", srm.pValue)))</p>\n"
        }
        if report.forcedUsersExcluded > 0 { html += "<p class=\"meta\">\(report.forcedUsersExcluded) QA-forced users excluded.</p>\n" }
        return html
    }

    static func metricsSection(_ report: ExperimentReport) -> String {
        var html = "<h2>Metrics: relative lift with \(Int(((1 - report.alpha) * 100).rounded()))% intervals</h2>\n"
        html += forestPlot(report)
        return html + metricsTable(report)
    }

    static func metricsTable(_ report: ExperimentReport) -> String {
        var html = "<table><tr><th>metric</th><th>role</th>"
        for variant in report.variants { html += "<th class=\"num\">\(escape(variant.name))</th>" }
        html += "<th>lift</th><th class=\"num\">p (adjusted)</th><th class=\"num\">chance to win</th><th class=\"num\">risk: keep / choose</th></tr>\n"
        for metric in report.metrics {
            for (index, comparison) in metric.comparisons.enumerated() {
                var name = escape(metric.id)
                if let cap = metric.cap {
                    let value = cap.value.map { String(format: "%.6g", $0) } ?? "none yet"
                    name += "<br><span class=\"meta\">capped at \(escape(cap.rule)) = \(value) (\(cap.usersCapped) users)</span>"
                }
                html += "<tr><td>\(index == 0 ? name : "")</td><td>\(index == 0 ? metric.role.rawValue : "")</td>"
                for arm in metric.arms { html += "<td class=\"num\">\(index == 0 ? String(format: "%.4g", arm.value) : "")</td>" }
                if let why = comparison.unavailable {
                    html += "<td class=\"warn\">\(escape(comparison.variant)): \(escape(why))</td><td></td><td></td><td></td></tr>\n"
                    continue
                }
                let good = (comparison.relativeLift > 0) == metric.higherIsBetter
                let cls = comparison.significant ? (good ? "ok" : "bad") : ""
                html += "<td class=\"\(cls)\">\(escape(comparison.variant)): \(ReportSummary.signedPercent(comparison.relativeLift)) "
                html += "[\(ReportSummary.percent(comparison.ciLower)), \(comparison.ciUpper.isFinite ? ReportSummary.percent(comparison.ciUpper) : "∞")]</td>"
                let p = comparison.pValue.map { String(format: "%.3g", $0) } ?? "—"
                let adjusted = comparison.adjustedPValue.map { String(format: " (%.3g)", $0) } ?? ""
                html += "<td class=\"num\">\(p)\(adjusted)</td>"
                if let bayesian = comparison.bayesian {
                    html += "<td class=\"num\">\(ReportSummary.percent(bayesian.chanceToWin))</td>"
                    html += "<td class=\"num\">\(ReportSummary.percent(bayesian.riskControl)) / \(ReportSummary.percent(bayesian.riskVariant))</td></tr>\n"
                } else {
                    html += "<td></td><td></td></tr>\n"
                }
            }
        }
        return html + "</table>\n"
    }

    static func priorText(_ report: ExperimentReport) -> String {
        guard let prior = report.prior else { return "flat prior" }
        return String(format: "normal prior on the lift, mean %.3g, sd %.3g", prior.mean, prior.variance.squareRoot())
    }

    static let sequentialNote = "Sequential p-values are always-valid (below α exactly when the interval excludes no change). "

    /// Per segment, a row per value: its users per variant and each metric's lift, coloured when
    /// significant after the breakdown's correction, "—" where the value has too few users.
    static func segmentsSection(_ report: ExperimentReport) -> String {
        guard !report.segments.isEmpty else { return "" }
        var html = "<h2>Segments</h2><p class=\"meta\">Every metric per segment value, each user as they were when first exposed. "
        html += "p-values adjusted together (Benjamini–Hochberg) over every segment, value, metric and variant; values with fewer than "
        html += "\(ExperimentSpec.segmentMinUsersPerVariant) users in a variant are not compared. Segments never stop or ship anything.</p>\n"
        for breakdown in report.segments {
            guard let first = breakdown.values.first else { continue }
            html += "<h3>\(escape(breakdown.segment))</h3><div class=\"wide\"><table class=\"segments\"><tr><th>value</th><th class=\"num\">users</th>"
            for metric in first.metrics { html += "<th>\(escape(metric.id))</th>" }
            html += "</tr>\n"
            for value in breakdown.values {
                html += "<tr><td>\(escape(value.value))</td><td class=\"num\">\(value.usersPerVariant.map(String.init).joined(separator: " / "))</td>"
                for metric in value.metrics {
                    let cells = metric.comparisons.map { comparison -> String in
                        guard comparison.unavailable == nil, !value.tooSmall else { return "—" }
                        let good = (comparison.relativeLift > 0) == metric.higherIsBetter
                        let cls = comparison.significant ? (good ? "ok" : "bad") : ""
                        let p = comparison.adjustedPValue.map { String(format: " (%.2g)", $0) } ?? ""
                        return "<span class=\"\(cls)\">\(ReportSummary.signedPercent(comparison.relativeLift))\(p)</span>"
                    }
                    html += "<td>\(cells.joined(separator: "<br>"))</td>"
                }
                html += "</tr>\n"
            }
            html += "</table></div>\n"
        }
        return html
    }

    /// Per metric and variant, a bar from the interval's lower to upper bound around the estimate.
    static func forestPlot(_ report: ExperimentReport) -> String {
        let rows = report.metrics.flatMap { metric in metric.comparisons.filter { $0.unavailable == nil }.map { (metric, $0) } }
        guard !rows.isEmpty else { return "<p class=\"meta\">No comparisons yet.</p>\n" }
        // An unbounded side (a control not yet told from zero) runs to the plot's edge.
        let finite = rows.flatMap { [$0.1.ciLower, $0.1.ciUpper, $0.1.relativeLift] }.filter(\.isFinite).map(abs)
        let bound = max(0.05, finite.max() ?? 0.05) * 1.1
        let width = 900.0, labelWidth = 260.0, rowHeight = 26.0
        let height = Double(rows.count) * rowHeight + 30
        func x(_ lift: Double) -> Double { labelWidth + (min(bound, max(-bound, lift)) + bound) / (2 * bound) * (width - labelWidth - 20) }
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\" aria-label=\"relative lift per metric\">\n"
        svg += line(x(0), 0, x(0), height - 20, "#a0aec0", dashed: true)
        for (index, (metric, comparison)) in rows.enumerated() {
            let y = Double(index) * rowHeight + 14
            let good = (comparison.relativeLift > 0) == metric.higherIsBetter
            let color = comparison.significant ? (good ? "#2f855a" : "#c53030") : "#718096"
            svg += "<text x=\"4\" y=\"\(fmt(y + 4))\" font-size=\"13\">\(escape(metric.id)) · \(escape(comparison.variant))</text>\n"
            svg += line(x(comparison.ciLower), y, x(comparison.ciUpper), y, color, width: 3)
            svg += "<circle cx=\"\(fmt(x(comparison.relativeLift)))\" cy=\"\(fmt(y))\" r=\"5\" fill=\"\(color)\"/>\n"
        }
        for tick in [-bound, -bound / 2, 0, bound / 2, bound] {
            svg += "<text x=\"\(fmt(x(tick)))\" y=\"\(fmt(height - 4))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#718096\">\(ReportSummary.signedPercent(tick))</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func guardrailSection(_ report: ExperimentReport) -> String {
        guard !report.guardrails.isEmpty else { return "" }
        var html = "<h2>Guardrails</h2><table><tr><th>metric</th><th>allowed</th><th>verdict</th><th>why</th></tr>\n"
        for guardrail in report.guardrails {
            let cls = guardrail.verdict == .ok ? "ok" : guardrail.verdict == .violated ? "bad" : "warn"
            html += "<tr><td>\(escape(guardrail.metric))</td><td>\(guardrail.harmfulDirection) ≤ \(ReportSummary.percent(guardrail.maxRelativeChange))</td>"
            html += "<td class=\"\(cls)\">\(guardrail.verdict.rawValue)</td><td>\(escape(guardrail.explanation))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// Cumulative exposed users per variant per day.
    static func timelineSection(_ report: ExperimentReport) -> String {
        guard report.timeline.count >= 1 else { return "" }
        let width = 900.0, height = 240.0, left = 60.0, bottom = 30.0
        let maxUsers = max(1, report.timeline.flatMap(\.cumulativeUsers).max() ?? 1)
        let days = report.timeline.count
        func x(_ index: Int) -> Double { left + (days > 1 ? Double(index) / Double(days - 1) : 0.5) * (width - left - 20) }
        func y(_ users: Int) -> Double { height - bottom - Double(users) / Double(maxUsers) * (height - bottom - 10) }
        var svg = "<h2>Cumulative exposures</h2>\n<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\" aria-label=\"cumulative exposures\">\n"
        svg += line(left, height - bottom, width - 10, height - bottom, "#a0aec0")
        svg += "<text x=\"4\" y=\"\(fmt(y(maxUsers) + 4))\" font-size=\"11\" fill=\"#718096\">\(maxUsers)</text>\n"
        for (variantIndex, variant) in report.variants.enumerated() {
            let color = palette[variantIndex % palette.count]
            let points = report.timeline.enumerated().map { index, point in
                "\(fmt(x(index))),\(fmt(y(variantIndex < point.cumulativeUsers.count ? point.cumulativeUsers[variantIndex] : 0)))"
            }
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2.5\" points=\"\(points.joined(separator: " "))\"/>\n"
            for point in points {
                let xy = point.split(separator: ",")
                svg += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"3\" fill=\"\(color)\"/>\n"
            }
            svg += "<text x=\"\(fmt(left + 10 + Double(variantIndex) * 140))\" y=\"16\" font-size=\"13\" fill=\"\(color)\">■ \(escape(variant.name))</text>\n"
        }
        svg += "<text x=\"\(fmt(left))\" y=\"\(fmt(height - 8))\" font-size=\"11\" fill=\"#718096\">\(day(report.timeline.first!.dayEpochSeconds))</text>\n"
        svg += "<text x=\"\(fmt(width - 10))\" y=\"\(fmt(height - 8))\" font-size=\"11\" text-anchor=\"end\" fill=\"#718096\">\(day(report.timeline.last!.dayEpochSeconds))</text>\n"
        return svg + "</svg>\n"
    }

    static func powerSection(_ report: ExperimentReport) -> String {
        guard let power = report.power else { return "" }
        var text = "With the users so far, the smallest change in \(escape(power.metric)) detectable at 80% power is \(String(format: "%.4g", power.minimumDetectableEffect))"
        if let relative = power.minimumDetectableRelativeEffect { text += " (\(ReportSummary.percent(relative)) of control)" }
        if let needed = power.additionalUsersPerArmNeeded { text += needed > 0 ? "; about \(needed) more users per arm would detect the observed effect" : "; enough users to detect the observed effect" }
        return "<h2>Power</h2><p>\(text).</p>\n"
    }

    static func label(_ decision: ExperimentReport.Decision) -> String {
        switch decision {
        case .ship: "ship"
        case .doNotShip: "do not ship"
        case .keepRunning: "keep running"
        case .stoppedByGuardrail: "stopped by guardrail"
        case .withheldSampleRatioMismatch: "no verdict: sample-ratio mismatch"
        case .shipped: "shipped"
        }
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ color: String, width: Double = 1, dashed: Bool = false) -> String {
        "<line x1=\"\(fmt(x1))\" y1=\"\(fmt(y1))\" x2=\"\(fmt(x2))\" y2=\"\(fmt(y2))\" stroke=\"\(color)\" stroke-width=\"\(fmt(width))\"\(dashed ? " stroke-dasharray=\"4 3\"" : "")/>\n"
    }

    static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

    static func date(_ epochSeconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(epochSeconds)))
    }

    static func day(_ epochSeconds: Int64) -> String { String(date(epochSeconds).prefix(10)) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
