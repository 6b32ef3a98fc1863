import Core
import Feed
import Foundation

/// The feed as a text table, for `quanzi feed` and the REPL's `:feed`.
public enum FeedTable {
    public static func render(_ result: FeedResult, nowEpochSeconds: Int64, explain: Bool) -> String {
        guard !result.items.isEmpty else { return "(no posts this viewer may see)" }
        var header = ["#", "post", "author", "age", "likes", "comments", "score"]
        if explain { header += FeedFeature.allCases.map(\.rawValue) }
        header.append("text")
        var rows: [[String]] = []
        for (rank, item) in result.items.enumerated() {
            var row = [String(rank + 1), String(item.post.id), String(item.post.authorID.rawValue), age(nowEpochSeconds - item.post.createdAtEpochSeconds),
                       String(item.post.likeCount), String(item.post.commentCount), String(format: "%.4f", item.score)]
            if explain {
                row += FeedFeature.allCases.map { feature in
                    String(format: "%+.4f", item.explanation?.contribution(of: feature) ?? 0)
                }
            }
            row.append(String(item.post.body.prefix(24)))
            rows.append(row)
        }
        let widths = header.indices.map { column in max(header[column].count, rows.map { $0[column].count }.max() ?? 0) }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        var lines = [line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)
        let weights = result.parameters
        lines.append("weights: half-life \(weights.halfLifeHours) h, engagement \(weights.engagementWeight), tips \(weights.tipsWeight), "
            + "credit \(weights.creditWeight), affinity \(weights.affinityWeight), reports −\(weights.reportPenalty), seen −\(weights.seenPenalty), show less −\(weights.showLessPenalty) (kind −\(weights.showLessKindPenalty)), "
            + "≤ \(weights.maxPerAuthor) per author · scanned \(result.stats.postsScanned) posts, \(result.stats.visibilityChecks) view-rule checks")
        if explain { lines.append("contributions sum to the score: score = Σ features") }
        if let cursor = result.nextCursor { lines.append("next page: --cursor \(cursor)") }
        return lines.joined(separator: "\n")
    }

    static func age(_ seconds: Int64) -> String {
        if seconds < 3_600 { return "\(max(0, seconds) / 60)m" }
        if seconds < 86_400 { return "\(seconds / 3_600)h" }
        return "\(seconds / 86_400)d"
    }
}
