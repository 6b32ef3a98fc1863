import Core
import GRDB

/// Appends viewed pages (`ViewedPage`) to `page_views` inside the caller's transaction, and
/// reads their id lists back.
///
/// Post and author ids are stored as JSON arrays of integers (`[12,15,19]`): compact, and an
/// operator can still query them with SQLite's `json_each`. They are written and read by hand
/// here rather than through Foundation's JSON coders, because a feed page writes one on every
/// request and integer lists need nothing more.
public enum PageViewLog {
    public static func append(_ page: ViewedPage, in db: Database) throws {
        try db.cachedStatement(
            sql: "INSERT INTO page_views (viewer_id, circle_id, at, post_ids, author_ids) VALUES (?, ?, ?, ?, ?)"
        ).execute(arguments: [
            page.viewerID.rawValue, page.circleID.rawValue, page.atEpochSeconds, encode(page.postIDs), encode(page.authorIDs),
        ])
    }

    /// `[1,2,3]`.
    static func encode(_ ids: [Int64]) -> String {
        var text = "["
        text.reserveCapacity(ids.count * 8 + 2)
        for (index, id) in ids.enumerated() {
            if index > 0 { text.append(",") }
            text.append(String(id))
        }
        text.append("]")
        return text
    }

    /// The integers of a JSON array as `encode` writes it (whitespace allowed). Throws on
    /// anything else: a row that does not parse is a corrupt database, not a page to skip.
    static func decode(_ text: String) throws -> [Int64] {
        var ids: [Int64] = []
        var current: Int64 = 0
        var negative = false
        var digits = 0
        var opened = false
        var closed = false
        // Whitespace after a number's digits ends it: only "," or "]" may follow.
        var numberEnded = false
        func finishNumber() throws {
            guard digits > 0 else { throw CorruptPageView(text: text) }
            ids.append(negative ? -current : current)
            (current, negative, digits, numberEnded) = (0, false, 0, false)
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                if negative && digits == 0 { throw CorruptPageView(text: text) }
                numberEnded = digits > 0
            case UInt8(ascii: "[") where !opened:
                opened = true
            case UInt8(ascii: "-") where opened && !closed && digits == 0 && !negative:
                negative = true
            case UInt8(ascii: "0")...UInt8(ascii: "9") where opened && !closed && !numberEnded:
                let (times, overflowTimes) = current.multipliedReportingOverflow(by: 10)
                let (sum, overflowSum) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
                guard !overflowTimes, !overflowSum else { throw CorruptPageView(text: text) }
                current = sum
                digits += 1
            case UInt8(ascii: ",") where opened && !closed:
                try finishNumber()
            case UInt8(ascii: "]") where opened && !closed:
                if digits > 0 || negative || !ids.isEmpty { try finishNumber() }
                closed = true
            default:
                throw CorruptPageView(text: text)
            }
        }
        guard closed else { throw CorruptPageView(text: text) }
        return ids
    }
}

/// A `page_views` id list that is not a JSON array of integers.
public struct CorruptPageView: Error, CustomStringConvertible {
    public var text: String
    public var description: String { "page_views holds an id list that is not a JSON array of integers: \(text.prefix(80))" }
}
