import Foundation

/// The report in one or two sentences a product manager can act on, e.g. "treatment raises
/// comments per user by 4.1% (95% CI 1.2% to 7.0%); report rate unchanged."
public enum ReportSummary {
    public static func sentence(for report: ExperimentReport) -> String {
        var parts: [String] = []
        switch report.decision {
        case .stoppedByGuardrail:
            let violated = report.guardrails.filter { $0.verdict == .violated }.map(\.explanation)
            let reason = violated.isEmpty ? (report.stopReason ?? "a guardrail") : violated.joined(separator: "; ")
            parts.append("Stopped by its guardrail: \(reason). Everyone now gets \(report.variants.first?.name ?? "control")")
        case .shipped:
            let variant = report.lifecycle?.shippedVariant ?? "the chosen variant"
            parts.append("Shipped: every targeted user gets \(variant)" + (report.stopReason.map { " (\($0))" } ?? "")
                + "; the analysis runs up to the decision")
        case .withheldSampleRatioMismatch:
            let p = report.sampleRatio.map { String(format: "%.2g", $0.pValue) } ?? "?"
            parts.append("No verdict: the exposed users do not match the configured split (sample-ratio mismatch, p = \(p)); fix assignment or logging first")
        default:
            break
        }
        if let primary = report.metrics.first(where: { $0.role == .primary }) {
            for comparison in primary.comparisons {
                parts.append(describe(primary, comparison, alpha: report.alpha))
            }
        }
        for guardrail in report.guardrails where guardrail.verdict != .violated {
            switch guardrail.verdict {
            case .ok: parts.append("\(readable(guardrail.metric)) within its guardrail")
            case .insufficientData: parts.append("\(readable(guardrail.metric)): not enough data yet")
            case .violated: break
            }
        }
        switch report.decision {
        case .ship: parts.append("Verdict: ship")
        case .doNotShip: parts.append("Verdict: do not ship")
        case .keepRunning:
            if let needed = report.power?.additionalUsersPerArmNeeded, needed > 0 {
                parts.append("Not significant yet: about \(needed) more users per arm would detect the observed effect")
            } else {
                parts.append("Not significant yet: keep running")
            }
        default: break
        }
        if let versions = versionsCaution(report) { parts.append(versions) }
        if let first = report.nodeDisagreements.first {
            let more = report.nodeDisagreements.count - 1
            parts.append("Caution: \(first)" + (more > 0 ? " (and \(more) more disagreement\(more == 1 ? "" : "s"))" : ""))
        }
        return parts.joined(separator: "; ") + "."
    }

    /// "Caution: the data spans experiment versions a (120 users) and b (80 users); …" when the
    /// phase's users were exposed under more than one version; nil otherwise.
    static func versionsCaution(_ report: ExperimentReport) -> String? {
        guard ExperimentReport.spansVersions(report.versions) else { return nil }
        var spans: [String] = []
        for (label, version) in [("experiment", \ExposureVersion.experimentVersion), ("plugin", \ExposureVersion.pluginVersion)] {
            var users: [String?: Int] = [:]
            for row in report.versions { users[row.version[keyPath: version], default: 0] += row.users }
            guard users.keys.compactMap({ $0 }).count > 1 else { continue }
            let listed = users.sorted { ($0.key ?? "") < ($1.key ?? "") }.map { version, count in
                "\(version ?? "unrecorded") (\(count) user\(count == 1 ? "" : "s"))"
            }
            spans.append("\(label) versions " + listed.joined(separator: ", "))
        }
        return "Caution: the data spans " + spans.joined(separator: " and ")
            + "; each user counts under the versions of their first exposure in phase \(report.phase)"
    }

    static func describe(_ metric: ExperimentReport.MetricResult, _ comparison: ExperimentReport.Comparison, alpha: Double) -> String {
        let name = readable(metric.id)
        if let why = comparison.unavailable { return "\(comparison.variant): \(name) cannot be compared yet (\(why))" }
        let significant = comparison.adjustedPValue.map { $0 < alpha } ?? comparison.significant
        guard significant else {
            return "\(comparison.variant) leaves \(name) unchanged (\(signedPercent(comparison.relativeLift)), \(interval(comparison, alpha: alpha)))"
        }
        let verb = comparison.relativeLift > 0 ? "raises" : "lowers"
        return "\(comparison.variant) \(verb) \(name) by \(percent(abs(comparison.relativeLift))) (\(interval(comparison, alpha: alpha)))"
    }

    static func readable(_ metricID: String) -> String { metricID.replacingOccurrences(of: "_", with: " ") }

    static func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }

    static func signedPercent(_ share: Double) -> String { String(format: "%+.1f%%", share * 100) }

    static func interval(_ comparison: ExperimentReport.Comparison, alpha: Double) -> String {
        let level = (1 - alpha) * 100
        let label = level.rounded() == level ? String(Int(level)) : String(format: "%.1f", level)
        guard comparison.ciUpper.isFinite else { return "\(label)% CI from \(percent(comparison.ciLower)), no upper bound yet" }
        return "\(label)% CI \(percent(comparison.ciLower)) to \(percent(comparison.ciUpper))"
    }
}
