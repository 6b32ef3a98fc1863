import Core
import Feed

/// The database side of the incremental test: every post's row, updated by the same events as a
/// window, with the rules the database applies (counters never below zero, deleted is final).
struct WindowModel {
    var rows: [Int64: CandidateRow]
    var creditByAuthor: [UserID: Int]

    init(_ rows: [CandidateRow]) {
        self.rows = Dictionary(rows.map { ($0.postID, $0) }) { first, _ in first }
        creditByAuthor = Dictionary(rows.map { ($0.authorID, $0.authorCreditScore) }) { _, last in last }
    }

    /// The rows the loader would read: each with its author's current credit.
    var finalRows: [CandidateRow] {
        rows.values.map { row in
            var current = row
            current.authorCreditScore = creditByAuthor[row.authorID] ?? row.authorCreditScore
            return current
        }
    }

    /// One random event, applied to both `window` and the model.
    mutating func applyRandomEvent(
        to window: inout CandidateWindow, random: inout SeededGenerator, clock: inout Int64, nextPostID: inout Int64
    ) {
        let ids = rows.keys.sorted()
        let author = UserID(Int64(random.int(in: 1_000...1_030)))
        guard let target = ids.isEmpty ? nil : random.pick(ids), random.int(in: 0...9) >= 2 else {
            // A new post, sometimes a little late (out of time order).
            clock += Int64(random.int(in: 0...900))
            let row = CandidateRow(
                postID: nextPostID, authorID: author,
                createdAtEpochSeconds: clock - (random.chance(0.2) ? Int64(random.int(in: 0...7_200)) : 0),
                likeCount: random.int(in: 0...30), commentCount: random.int(in: 0...3),
                authorCreditScore: creditByAuthor[author] ?? random.int(in: 350...950))
            nextPostID += 1
            creditByAuthor[author] = row.authorCreditScore
            rows[row.postID] = row
            window.insert(row)
            return
        }
        var row = rows[target]!
        switch random.int(in: 0...7) {
        case 0:
            let delta = random.chance(0.2) ? -1 : 1
            row.likeCount = max(0, row.likeCount + delta)
            window.recordLike(postID: target, count: delta)
        case 1:
            row.commentCount += 1
            window.recordComment(postID: target)
        case 2:
            let fen = Int64(random.int(in: 1...20_000))
            row.tipsFen += fen
            window.recordTip(postID: target, amountFen: fen)
        case 3:
            row.reportCount += 1
            window.recordReport(postID: target)
        case 4:
            if row.status != .deleted { row.status = .hidden }
            window.hide(postID: target)
        case 5:
            if row.status != .deleted { row.status = .visible }
            window.restore(postID: target)
        case 6:
            row.status = .deleted
            window.delete(postID: target)
        default:
            let score = random.int(in: 300...1_000)
            creditByAuthor[row.authorID] = score
            window.updateAuthorCredit(row.authorID, score: score)
        }
        rows[target] = row
    }
}
