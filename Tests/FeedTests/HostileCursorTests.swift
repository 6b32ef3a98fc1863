import Core
import Foundation
@testable import Feed
import PropertyBased
import Testing

/// A cursor comes back from the client: every field of it is hostile. These cursors are well
/// formed (this code encodes them), so they reach every check after decoding.
@Suite("hostile feed cursors")
struct HostileCursorTests {
    static let clock = FeedScenario.nowEpochSeconds

    static func crafted(now: Int64, watermark: Int64 = 10, postID: Int64 = 5, authors: [(Int64, Int)] = []) -> String {
        FeedCursor(
            nowEpochSeconds: now, postIDWatermark: watermark, lastKey: RankKey(score: 1, postID: postID),
            shownCount: authors.reduce(0) { $0 + $1.1 },
            authorCounts: authors.map { FeedCursor.AuthorCount(authorID: UserID($0.0), shownCount: $0.1) }
        ).encoded
    }

    /// Decodes as the service does and builds the request the ranker would get.
    static func request(_ text: String, clock: Int64 = clock) throws -> FeedRequest {
        let scenario = FeedScenario(seed: 1, postCount: 10)
        let cursor = try FeedCursor(encoded: text, clockEpochSeconds: clock)
        return try scenario.request(cursor: cursor, clockEpochSeconds: clock)
    }

    @Test("the cursor's base64url is Foundation's base64 with - for +, _ for / and no padding, for every length")
    func base64URLMatchesFoundation() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...255).array(of: 0...40)) { values in
            let bytes = values.map { UInt8($0) }
            let foundation = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(FeedCursor.base64URL(bytes) == foundation)
        }
    }

    @Test("a cursor whose time is Int64.min is refused, not an overflow that kills the process")
    func minimumTime() {
        #expect(throws: QuanziError(.invalidCursor, "invalid feed cursor: negative time or id")) {
            try Self.request(Self.crafted(now: .min))
        }
        // Past the decoder (a cursor built in memory), the request's freshness check is overflow-safe too.
        let scenario = FeedScenario(seed: 1, postCount: 10)
        let forged = FeedCursor(nowEpochSeconds: .min, postIDWatermark: 1, lastKey: RankKey(score: 0, postID: 1), shownCount: 0, authorCounts: [])
        #expect(throws: QuanziError.self) { try scenario.request(cursor: forged, clockEpochSeconds: Self.clock) }
    }

    @Test("a cursor from the future is refused; one within the clock skew is taken")
    func futureTime() throws {
        #expect(throws: QuanziError(.invalidCursor, "invalid feed cursor: its time is in the future")) {
            try Self.request(Self.crafted(now: .max))
        }
        #expect(throws: QuanziError.self) { try Self.request(Self.crafted(now: Self.clock + FeedLimits.cursorClockSkewSeconds + 1)) }
        let skewed = try Self.request(Self.crafted(now: Self.clock + FeedLimits.cursorClockSkewSeconds))
        #expect(skewed.nowEpochSeconds == Self.clock + FeedLimits.cursorClockSkewSeconds)
    }

    @Test("negative ids and author ids that overflow are refused")
    func idsOutOfRange() {
        for text in [
            Self.crafted(now: Self.clock, watermark: -1), Self.crafted(now: Self.clock, postID: .min),
            Self.crafted(now: Self.clock, authors: [(-5, 1)]), Self.crafted(now: Self.clock, authors: [(.max, 1), (.max, 1)]),
        ] {
            #expect(throws: QuanziError.self) { try Self.request(text) }
        }
    }

    @Test("any well-formed cursor either decodes to a request or is refused with invalid_cursor")
    func anyFields() async {
        let extremes: [Int64] = [.min, .min + 1, -1, 0, 1, Self.clock - FeedLimits.cursorLifetimeSeconds - 1, Self.clock, .max - 1, .max]
        await propertyCheck(
            count: 400, input: Gen.int64(), Gen.int64(), Gen.int64(), Gen.int(in: 0...extremes.count - 1), Gen.int64()
        ) { randomNow, watermark, postID, extremeIndex, author in
            for now in [randomNow, extremes[extremeIndex]] {
                do {
                    let request = try Self.request(Self.crafted(now: now, watermark: watermark, postID: postID, authors: [(author, 1)]))
                    #expect((Self.clock - FeedLimits.cursorLifetimeSeconds...Self.clock + FeedLimits.cursorClockSkewSeconds).contains(request.nowEpochSeconds))
                    #expect(watermark >= 0 && postID >= 0 && author > 0)
                } catch {
                    #expect((error as? QuanziError)?.code == .invalidCursor, "\(error)")
                }
            }
        }
    }
}
