import Core

/// Feed views: recorded (durably before returning, or written behind) and the posts each
/// viewer has seen.
public protocol ViewRecording: Sendable {
    func record(_ views: [RecordedView], at now: Int64) throws(QuanziError)
    /// Returns once every view recorded before the call is durable.
    func flush() throws(QuanziError)
    func seenPostIDs(_ viewer: UserID, circle: CircleID, since: Int64, before: Int64) throws -> Set<Int64>
    /// Pages other nodes recorded (the follower read them): their posts count as seen here too.
    func noteOthersViews(_ pages: [ViewedPage])
    var currentStatistics: ViewRecordingStatistics { get }
}
