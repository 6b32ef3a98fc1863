/// The window's structure-of-arrays storage: one array per field, all the same length, index i
/// is one post. The ranking loop reads only the columns it needs (time, author, flags and the
/// three precomputed features: 25 bytes a post), contiguously.
struct CandidateColumns: Sendable {
    var postIDs: [Int64] = []
    var createdAtEpochSeconds: [Int64] = []
    /// Dense index into the window's `AuthorTable`.
    var authorIndices: [Int32] = []
    var likeCounts: [Int32] = []
    var commentCounts: [Int32] = []
    var tipsFen: [Int64] = []
    var reportCounts: [Int32] = []
    /// `CandidateStatus.rawValue`: 0 means rankable, so the loop tests one byte against zero.
    var statuses: [UInt8] = []
    /// `CandidateRow.kindIndex`.
    var kindIndices: [UInt8] = []
    var engagementFeatures: [Float] = []
    var tipsFeatures: [Float] = []
    var reportFeatures: [Float] = []

    var count: Int { postIDs.count }

    /// Bytes one post takes in these arrays (excluding spare capacity).
    static let bytesPerCandidate =
        MemoryLayout<Int64>.stride * 3 + MemoryLayout<Int32>.stride * 4 + MemoryLayout<UInt8>.stride * 2
        + MemoryLayout<Float>.stride * 3

    /// Inserts a post at `index` (the end for posts arriving in time order).
    mutating func insert(_ row: CandidateRow, authorIndex: Int32, at index: Int) {
        let likes = Int32(clamping: row.likeCount)
        let comments = Int32(clamping: row.commentCount)
        let reports = Int32(clamping: row.reportCount)
        // An append is the common case; `insert(_:at:)` at the end takes a slower general path.
        func put<Element>(_ value: Element, into column: inout [Element]) {
            if index == column.count { column.append(value) } else { column.insert(value, at: index) }
        }
        put(row.postID, into: &postIDs)
        put(row.createdAtEpochSeconds, into: &createdAtEpochSeconds)
        put(authorIndex, into: &authorIndices)
        put(likes, into: &likeCounts)
        put(comments, into: &commentCounts)
        put(max(0, row.tipsFen), into: &tipsFen)
        put(reports, into: &reportCounts)
        put(row.status.rawValue, into: &statuses)
        put(row.kindIndex, into: &kindIndices)
        put(CandidateFeatures.engagement(likeCount: likes, commentCount: comments), into: &engagementFeatures)
        put(CandidateFeatures.tips(fen: row.tipsFen), into: &tipsFeatures)
        put(CandidateFeatures.reports(count: reports), into: &reportFeatures)
    }

    /// Drops the first `count` posts (already evicted): the compaction step.
    mutating func removeFirst(_ count: Int) {
        postIDs.removeFirst(count)
        createdAtEpochSeconds.removeFirst(count)
        authorIndices.removeFirst(count)
        likeCounts.removeFirst(count)
        commentCounts.removeFirst(count)
        tipsFen.removeFirst(count)
        reportCounts.removeFirst(count)
        statuses.removeFirst(count)
        kindIndices.removeFirst(count)
        engagementFeatures.removeFirst(count)
        tipsFeatures.removeFirst(count)
        reportFeatures.removeFirst(count)
    }

    mutating func reserveCapacity(_ capacity: Int) {
        postIDs.reserveCapacity(capacity)
        createdAtEpochSeconds.reserveCapacity(capacity)
        authorIndices.reserveCapacity(capacity)
        likeCounts.reserveCapacity(capacity)
        commentCounts.reserveCapacity(capacity)
        tipsFen.reserveCapacity(capacity)
        reportCounts.reserveCapacity(capacity)
        statuses.reserveCapacity(capacity)
        kindIndices.reserveCapacity(capacity)
        engagementFeatures.reserveCapacity(capacity)
        tipsFeatures.reserveCapacity(capacity)
        reportFeatures.reserveCapacity(capacity)
    }

    /// Bytes the arrays hold, spare capacity included.
    var allocatedBytes: Int {
        postIDs.capacity * Self.bytesPerCandidate
    }

    /// The post at `index` as a row, with the author's id and credit from `authors`.
    func row(at index: Int, authors: AuthorTable) -> CandidateRow {
        let author = Int(authorIndices[index])
        return CandidateRow(
            postID: postIDs[index], authorID: authors.userIDs[author],
            createdAtEpochSeconds: createdAtEpochSeconds[index], likeCount: Int(likeCounts[index]),
            commentCount: Int(commentCounts[index]), tipsFen: tipsFen[index], reportCount: Int(reportCounts[index]),
            authorCreditScore: Int(authors.creditScores[author]),
            status: CandidateStatus(rawValue: statuses[index]) ?? .deleted, kindIndex: kindIndices[index],
            authorGroup: authors.groups[author])
    }
}
