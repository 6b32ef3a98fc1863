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
            let held =
                switch item.reason {
                case .keywords: "keywords: \(item.detail)"
                case .reports: "\(entry.reportCount) reports"
                case .rule: "rule: \(item.detail)"
                }
            let appeal = item.isAppeal ? "  APPEAL of a removal: \(item.firstDecisionText ?? "")" : ""
            let what = item.commentID.map { "comment \($0) on post \(item.postID)" } ?? "post \(item.postID)"
            lines.append("#\(item.id)  \(what) in \(item.circleID) by user \(item.authorID)  [\(held)]  waiting \(waited / 60) min\(appeal)")
            if let comment = entry.commentBody {
                lines.append("    comment: \(comment.prefix(200))")
                lines.append("    on \(entry.postKind.rawValue): \(entry.postBody.prefix(80))")
            } else {
                lines.append("    \(entry.postKind.rawValue): \(entry.postBody.prefix(200))")
            }
            for report in entry.reports { lines.append("    reported by user \(report.reporterID): \(report.reason)") }
            if let text = item.appealText { lines.append("    the author says: \(text)") }
        }
        return lines.joined(separator: "\n")
    }
}
