import Core
import Social
import StorageModel

/// The review queue as text, for the CLI's `quanzi moderation queue` and the REPL's `:queue`.
public enum ModerationQueueText {
    public static func render(_ entries: [ModerationQueueEntry], nowEpochSeconds now: Int64) -> String {
        guard !entries.isEmpty else { return "the review queue is empty" }
        var lines: [String] = []
        for entry in entries {
            let item = entry.item
            let waited = max(0, now - (item.appealedAtEpochSeconds ?? item.createdAtEpochSeconds))
            let held = item.reason == .keywords ? "keywords: \(item.detail)" : "\(entry.reportCount) reports"
            let appeal = item.isAppeal ? "  APPEAL of a removal: \(item.firstDecisionText ?? "")" : ""
            lines.append("#\(item.id)  post \(item.postID) in \(item.circleID) by user \(item.authorID)  [\(held)]  waiting \(waited / 60) min\(appeal)")
            lines.append("    \(entry.postKind.rawValue): \(entry.postBody.prefix(200))")
            for report in entry.reports { lines.append("    reported by user \(report.reporterID): \(report.reason)") }
            if let text = item.appealText { lines.append("    the author says: \(text)") }
        }
        return lines.joined(separator: "\n")
    }
}
