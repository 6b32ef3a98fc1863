/// The parts of `report.html` about script versions: which versions the phase's users were
/// exposed under, nodes that disagreed, and the `--by-version` analyses.
extension ReportHTML {
    /// The phase's users per combination of versions, flagged when there is more than one.
    static func versionsSection(_ report: ExperimentReport) -> String {
        guard !report.versions.isEmpty else { return "" }
        var html = "<h2>Versions (phase \(report.phase))</h2>\n"
        if ExperimentReport.spansVersions(report.versions) {
            html +=
                "<p class=\"warn\">The data spans more than one version: compare them with <code>quanzi ab analyze --by-version</code>. "
            html += "Each user counts under the versions of their first exposure in this phase.</p>\n"
        }
        html += "<table><tr><th>experiment version</th><th>circle plugin version</th><th class=\"num\">users</th>"
        for variant in report.variants { html += "<th class=\"num\">\(escape(variant.name))</th>" }
        html += "<th>first exposure</th><th>last exposure</th></tr>\n"
        for row in report.versions {
            html += "<tr><td>\(versionCell(row.version.experimentVersion, file: row.experimentFile, missing: "unrecorded"))</td>"
            html += "<td>\(versionCell(row.version.pluginVersion, file: row.pluginFile, missing: "none (API or unrecorded)"))</td>"
            html += "<td class=\"num\">\(row.users)</td>"
            for users in row.usersPerVariant { html += "<td class=\"num\">\(users)</td>" }
            html +=
                "<td class=\"when\">\(date(row.firstExposedAtEpochSeconds))</td><td class=\"when\">\(date(row.lastExposedAtEpochSeconds))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    static func versionCell(_ version: String?, file: String?, missing: String) -> String {
        guard let version else { return "<span class=\"meta\">\(escape(missing))</span>" }
        return "<code>\(escape(version))</code>" + (file.map { " <span class=\"meta\">\(escape($0))</span>" } ?? "")
    }

    /// Nodes that served different versions of the experiment's scripts at once.
    static func nodesSection(_ report: ExperimentReport) -> String {
        guard !report.nodeDisagreements.isEmpty else { return "" }
        var html = "<h2>Nodes disagreed</h2>\n<p class=\"bad\">Users were served by nodes running different versions of the files below "
        html += "at the same time: the variants' behaviour was not one thing. Check the rollout before trusting the verdict.</p>\n"
        html += "<table><tr><th>file</th><th>node · version</th><th>node · version</th><th>from</th><th>until</th><th>seen in</th></tr>\n"
        for disagreement in report.nodeDisagreements {
            html += "<tr><td>\(escape(disagreement.folder.rawValue))/\(escape(disagreement.file))</td>"
            html += "<td>\(escape(disagreement.first.node)) · <code>\(escape(disagreement.first.version))</code></td>"
            html += "<td>\(escape(disagreement.second.node)) · <code>\(escape(disagreement.second.version))</code></td>"
            html +=
                "<td class=\"when\">\(date(disagreement.fromEpochSeconds))</td><td class=\"when\">\(date(disagreement.untilEpochSeconds))</td>"
            html += "<td>\(disagreement.evidence == .served ? "the nodes' records" : "the exposures")</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// `--by-version`: each combination's own analysis (summary, users, metrics).
    static func byVersionSection(_ report: ExperimentReport) -> String {
        guard !report.versionSections.isEmpty else { return "" }
        var html = "<h2>By version</h2>\n<p class=\"meta\">The same analysis over the users first exposed under each combination of "
        html += "versions in phase \(report.phase); a user exposed under several counts under the first.</p>\n"
        for section in report.versionSections {
            let row = report.versions.first { $0.version == section.version }
            html += "<h3>experiment \(versionCell(section.version.experimentVersion, file: row?.experimentFile, missing: "unrecorded")) · "
            html += "plugin \(versionCell(section.version.pluginVersion, file: row?.pluginFile, missing: "none"))</h3>\n"
            html += "<p><span class=\"badge \(section.report.decision.rawValue)\">\(label(section.report.decision))</span> "
            html += section.report.variants.map { "\(escape($0.name)): \($0.users) users" }.joined(separator: " · ") + "</p>\n"
            html += "<p class=\"summary\">\(escape(section.report.summary))</p>\n"
            html += metricsTable(section.report)
        }
        return html
    }
}
