import Core
import Foundation

/// Where the next page of a feed starts, handed to the client as an opaque string.
///
/// How paging stays free of duplicates and gaps while new posts arrive:
/// - The first page freezes the request time (`nowEpochSeconds`) and the window's largest post
///   id (`postIDWatermark`). Every later page scores at the frozen time and ignores posts with a
///   larger id, so it ranks the same set of posts by the same scores.
/// - A page returns the posts strictly below the last key shown (score, then post id: a strict
///   total order), so no post is shown twice and none is skipped.
/// - Diversity spans pages, so the cursor carries how many posts of each author were shown.
/// - The window keeps posts a cursor lifetime past its age limit, so no post of an open session
///   is evicted; an older cursor is refused and the client starts again from the top.
///
/// What can still move a post across the cursor: its engagement, reports or status changing
/// between two pages (the score is recomputed), or the viewer's seen set changing (pass the set
/// as of `nowEpochSeconds`). That is the price of not holding a snapshot per session.
///
/// Not signed: a client that edits its cursor only reorders its own feed; visibility is checked
/// afresh on every post shown.
public struct FeedCursor: Sendable, Hashable {
    /// How many posts of one author earlier pages showed.
    public struct AuthorCount: Sendable, Hashable {
        public var authorID: UserID
        public var shownCount: Int
        public init(authorID: UserID, shownCount: Int) {
            self.authorID = authorID
            self.shownCount = shownCount
        }
    }

    /// The frozen request time every page of the session scores at.
    public let nowEpochSeconds: Int64
    /// Posts with a larger id arrived after the first page and are left out of the session.
    public let postIDWatermark: Int64
    /// The last post shown; the next page starts strictly below it.
    public let lastKey: RankKey
    /// Posts shown by all pages so far.
    public let shownCount: Int
    /// Per author, posts shown so far, sorted by author id; the counts sum to `shownCount`.
    public let authorCounts: [AuthorCount]

    init(nowEpochSeconds: Int64, postIDWatermark: Int64, lastKey: RankKey, shownCount: Int, authorCounts: [AuthorCount]) {
        self.nowEpochSeconds = nowEpochSeconds
        self.postIDWatermark = postIDWatermark
        self.lastKey = lastKey
        self.shownCount = shownCount
        self.authorCounts = authorCounts
    }

    static let formatVersion: UInt8 = 1

    /// The opaque form: versioned varint bytes, base64url without padding.
    public var encoded: String {
        var bytes: [UInt8] = [Self.formatVersion]
        CursorBytes.appendSigned(nowEpochSeconds, to: &bytes)
        CursorBytes.appendSigned(postIDWatermark, to: &bytes)
        withUnsafeBytes(of: lastKey.score.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        CursorBytes.appendSigned(lastKey.postID, to: &bytes)
        CursorBytes.appendUnsigned(UInt64(shownCount), to: &bytes)
        CursorBytes.appendUnsigned(UInt64(authorCounts.count), to: &bytes)
        var previous: Int64 = 0
        for entry in authorCounts {
            CursorBytes.appendSigned(entry.authorID.rawValue &- previous, to: &bytes)  // ascending: small deltas
            CursorBytes.appendUnsigned(UInt64(entry.shownCount), to: &bytes)
            previous = entry.authorID.rawValue
        }
        return Self.base64URL(bytes)
    }

    private static let base64URLAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// base64url without padding, written directly: going through Foundation's base64 (a `Data`,
    /// then a byte-by-byte mapping of `+`, `/` and `=`) was a seventieth of a simulated day.
    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = base64URLAlphabet
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(alphabet[Int(group >> 18 & 63)])
            output.append(alphabet[Int(group >> 12 & 63)])
            output.append(alphabet[Int(group >> 6 & 63)])
            output.append(alphabet[Int(group & 63)])
            index += 3
        }
        switch bytes.count - index {
        case 1:
            let group = UInt32(bytes[index]) << 16
            output.append(alphabet[Int(group >> 18 & 63)])
            output.append(alphabet[Int(group >> 12 & 63)])
        case 2:
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            output.append(alphabet[Int(group >> 18 & 63)])
            output.append(alphabet[Int(group >> 12 & 63)])
            output.append(alphabet[Int(group >> 6 & 63)])
        default:
            break
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes a cursor a client sent back and checks it is still fresh at `clockEpochSeconds`:
    /// `invalid_cursor` if it is not one this code made, or it is older than
    /// `FeedLimits.cursorLifetimeSeconds` or from the future (the client starts again from the top).
    public init(encoded text: String, clockEpochSeconds: Int64) throws(QuanziError) {
        try self.init(encoded: text)
        try checkFresh(atClockEpochSeconds: clockEpochSeconds)
    }

    /// `invalid_cursor` unless this cursor's session started at most `cursorLifetimeSeconds`
    /// before `clockEpochSeconds` and at most `cursorClockSkewSeconds` after it (another node's
    /// clock may run a little ahead). Every value of the cursor came from a client: the age is
    /// computed with overflow checked, never trusted.
    public func checkFresh(atClockEpochSeconds clockEpochSeconds: Int64) throws(QuanziError) {
        let (age, overflow) = clockEpochSeconds.subtractingReportingOverflow(nowEpochSeconds)
        guard !overflow, age >= -FeedLimits.cursorClockSkewSeconds else {
            throw QuanziError(.invalidCursor, "invalid feed cursor: its time is in the future")
        }
        guard age <= FeedLimits.cursorLifetimeSeconds else {
            throw QuanziError(.invalidCursor, "feed cursor expired: start again from the first page")
        }
    }

    /// Decodes a cursor a client sent back; `invalid_cursor` if it is not one this code made.
    /// Every field is range-checked: ids and times are never negative, author ids strictly
    /// ascending (their deltas summed with overflow checked), counts within the session's depth.
    public init(encoded text: String) throws(QuanziError) {
        func invalid(_ why: String) -> QuanziError { QuanziError(.invalidCursor, "invalid feed cursor: \(why)") }
        guard text.utf8.count <= Self.encodedLengthMax else { throw invalid("too long") }
        var base64: [UInt8] = text.utf8.map { byte in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        base64.append(contentsOf: repeatElement(UInt8(ascii: "="), count: (4 - base64.count % 4) % 4))
        guard let data = Data(base64Encoded: Data(base64)) else { throw invalid("not base64url") }
        var reader = CursorBytes.Reader(bytes: Array(data))
        guard let version = reader.byte(), version == Self.formatVersion else { throw invalid("unknown format") }
        guard let now = reader.signed(), let watermark = reader.signed(), let scoreBits = reader.uint64LittleEndian(),
            let lastPostID = reader.signed(), let shown = reader.unsigned(), let authorTotal = reader.unsigned()
        else { throw invalid("truncated") }
        let score = Double(bitPattern: scoreBits)
        guard score.isFinite else { throw invalid("score is not finite") }
        guard now >= 0, watermark >= 0, lastPostID >= 0 else { throw invalid("negative time or id") }
        guard shown <= UInt64(FeedLimits.depthMax), authorTotal <= shown else { throw invalid("counts out of range") }
        var counts: [AuthorCount] = []
        var author: Int64 = 0
        var sum = 0
        for position in 0..<Int(authorTotal) {
            guard let delta = reader.signed(), let count = reader.unsigned() else { throw invalid("truncated") }
            guard position == 0 || delta > 0, (1...UInt64(FeedLimits.depthMax)).contains(count) else {
                throw invalid("author counts out of order or range")
            }
            let (next, overflow) = author.addingReportingOverflow(delta)
            guard !overflow, next > 0 else { throw invalid("author id out of range") }
            author = next
            sum += Int(count)
            counts.append(AuthorCount(authorID: UserID(author), shownCount: Int(count)))
        }
        guard reader.isAtEnd else { throw invalid("trailing bytes") }
        guard sum == Int(shown) else { throw invalid("author counts do not add up") }
        self.init(
            nowEpochSeconds: now, postIDWatermark: watermark, lastKey: RankKey(score: score, postID: lastPostID),
            shownCount: Int(shown), authorCounts: counts)
    }

    /// Longest encoded cursor accepted: the fixed fields (at most 45 bytes) and a full-depth
    /// session where every post has its own author (at most 12 bytes each), as base64.
    static let encodedLengthMax = (64 + FeedLimits.depthMax * 12) * 4 / 3 + 4
}

/// LEB128 varints (zigzag for signed values): small numbers take one byte.
enum CursorBytes {
    static func appendUnsigned(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    static func appendSigned(_ value: Int64, to bytes: inout [UInt8]) {
        appendUnsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: &bytes)
    }

    struct Reader {
        let bytes: [UInt8]
        var position = 0

        var isAtEnd: Bool { position == bytes.count }

        mutating func byte() -> UInt8? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func unsigned() -> UInt64? {
            var value: UInt64 = 0
            for shift in stride(from: 0, to: 64, by: 7) {
                guard let next = byte() else { return nil }
                value |= UInt64(next & 0x7F) << UInt64(shift)
                if next < 0x80 { return value }
            }
            return nil  // more than ten bytes: not a varint we wrote
        }

        mutating func signed() -> Int64? {
            unsigned().map { Int64(bitPattern: ($0 >> 1) ^ (0 &- ($0 & 1))) }
        }

        mutating func uint64LittleEndian() -> UInt64? {
            guard position + 8 <= bytes.count else { return nil }
            var value: UInt64 = 0
            for offset in 0..<8 { value |= UInt64(bytes[position + offset]) << UInt64(offset * 8) }
            position += 8
            return value
        }
    }
}
