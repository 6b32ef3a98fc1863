import Core

/// Incremental updates, one per event the core records. Each is O(1): a dictionary lookup, a
/// counter and the feature derived from it. Each returns false when the post is not in the
/// window (another circle's, or already evicted): nothing to do then.
extension CandidateWindow {
    /// `like.created`: one more like (a negative `count` undoes likes, e.g. an unlike).
    @discardableResult
    public mutating func recordLike(postID: Int64, count: Int = 1) -> Bool {
        guard let index = index(of: postID) else { return false }
        columns.likeCounts[index] = Self.adding(count, to: columns.likeCounts[index])
        refreshEngagement(at: index)
        return true
    }

    /// `comment.created`: one more comment (negative to undo).
    @discardableResult
    public mutating func recordComment(postID: Int64, count: Int = 1) -> Bool {
        guard let index = index(of: postID) else { return false }
        columns.commentCounts[index] = Self.adding(count, to: columns.commentCounts[index])
        refreshEngagement(at: index)
        return true
    }

    /// `tip.sent`: `amountFen` more in tips.
    @discardableResult
    public mutating func recordTip(postID: Int64, amountFen: Int64) -> Bool {
        guard let index = index(of: postID) else { return false }
        let (sum, overflow) = columns.tipsFen[index].addingReportingOverflow(amountFen)
        columns.tipsFen[index] = overflow ? .max : max(0, sum)
        columns.tipsFeatures[index] = CandidateFeatures.tips(fen: columns.tipsFen[index])
        tipsFeatureMax = max(tipsFeatureMax, columns.tipsFeatures[index])
        return true
    }

    /// `report.created`: one more report. Hiding at the circle's threshold is moderation's
    /// decision, which then calls `hide`.
    @discardableResult
    public mutating func recordReport(postID: Int64, count: Int = 1) -> Bool {
        guard let index = index(of: postID) else { return false }
        columns.reportCounts[index] = Self.adding(count, to: columns.reportCounts[index])
        columns.reportFeatures[index] = CandidateFeatures.reports(count: columns.reportCounts[index])
        return true
    }

    /// `post.hidden`: moderation hid the post; it is no longer ranked until restored.
    @discardableResult
    public mutating func hide(postID: Int64) -> Bool {
        setStatus(.hidden, postID: postID, unless: .deleted)
    }

    /// A moderator restored a hidden post. A deleted post stays deleted.
    @discardableResult
    public mutating func restore(postID: Int64) -> Bool {
        setStatus(.visible, postID: postID, unless: .deleted)
    }

    /// `post.deleted`: never ranked again. It keeps its place until evicted, as in the database.
    @discardableResult
    public mutating func delete(postID: Int64) -> Bool {
        setStatus(.deleted, postID: postID, unless: nil)
    }

    /// The author's credit score changed. False if the author has no post in the window.
    @discardableResult
    public mutating func updateAuthorCredit(_ author: UserID, score: Int) -> Bool {
        authors.updateCredit(of: author, score: score)
    }

    private mutating func setStatus(_ status: CandidateStatus, postID: Int64, unless final: CandidateStatus?) -> Bool {
        guard let index = index(of: postID) else { return false }
        if let final, columns.statuses[index] == final.rawValue { return true }
        columns.statuses[index] = status.rawValue
        return true
    }

    private mutating func refreshEngagement(at index: Int) {
        let feature = CandidateFeatures.engagement(likeCount: columns.likeCounts[index], commentCount: columns.commentCounts[index])
        columns.engagementFeatures[index] = feature
        engagementFeatureMax = max(engagementFeatureMax, feature)
    }

    /// Counters saturate rather than trap: a counter is a signal, not money.
    private static func adding(_ delta: Int, to counter: Int32) -> Int32 {
        max(0, Int32(clamping: Int(counter) + delta))
    }
}
