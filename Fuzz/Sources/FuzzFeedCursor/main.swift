// Feeds the cursor decoder arbitrary text, as a client could send in `?cursor=`. A decoded
// cursor must be one this code could have made: it re-encodes to the same text, and the
// freshness check (the arithmetic that once overflowed) answers without trapping at any clock.
import Core
import Feed

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFeedCursor(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    guard let cursor = try? FeedCursor(encoded: text) else { return 0 }
    precondition(cursor.nowEpochSeconds >= 0 && cursor.postIDWatermark >= 0 && cursor.lastKey.postID >= 0)
    precondition(cursor.authorCounts.allSatisfy { $0.authorID.rawValue > 0 })
    precondition(cursor.authorCounts.reduce(0) { $0 + $1.shownCount } == cursor.shownCount)
    guard let again = try? FeedCursor(encoded: cursor.encoded) else { preconditionFailure("a decoded cursor must decode again") }
    precondition(again == cursor)
    for clock: Int64 in [0, 1_700_000_000, .max, .min, cursor.nowEpochSeconds] {
        _ = try? cursor.checkFresh(atClockEpochSeconds: clock)
    }
    return 0
}
