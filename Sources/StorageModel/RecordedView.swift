import Core

/// A post a feed page showed to a viewer (`ViewRecorder.View` on both backends).
public struct RecordedView: Sendable, Hashable {
    public var postID: Int64
    public var circleID: CircleID
    public var viewerID: UserID
    public var authorID: UserID

    public init(postID: Int64, circleID: CircleID, viewerID: UserID, authorID: UserID) {
        self.postID = postID
        self.circleID = circleID
        self.viewerID = viewerID
        self.authorID = authorID
    }
}

/// What batching of feed views achieved so far (`ViewRecorder.Statistics` on both backends).
public struct ViewRecordingStatistics: Sendable, Equatable {
    public var batches = 0
    public var views = 0
    public var largestBatch = 0
    /// Views whose batch failed to commit (write-behind: nobody was waiting to be told).
    public var failedViews = 0

    public init() {}

    public mutating func record(batchSize: Int) {
        batches += 1
        views += batchSize
        largestBatch = max(largestBatch, batchSize)
    }
}

/// When a recorded view is durable (`ViewRecorder.Durability`).
public enum ViewDurability: Sendable {
    /// `record` returns once its views are committed.
    case beforeReturn
    /// `record` returns at once; a writer commits soon (`flush` waits for it).
    case writeBehind
}
