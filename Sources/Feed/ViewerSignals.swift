import Core
import Foundation

/// What the caller knows about the viewer, gathered once per request: sparse, a few entries per
/// author the viewer knows. The ranker spreads it over the window's author indices once, so the
/// loop never hashes.
public struct ViewerSignals: Sendable, Hashable {
    public var viewerID: UserID
    /// Affinity to each author the viewer interacted with, 0…1 (`Social.Affinity.normalized`);
    /// absent means 0. Values outside 0…1 are clamped, non-finite ones ignored.
    public var affinityByAuthor: [UserID: Double]
    public var friendIDs: Set<UserID>
    /// Posts the viewer has already seen. For a stable paging session pass the posts seen before
    /// the session started (`post.viewed` events before `FeedRequest.nowEpochSeconds`): a post
    /// whose penalty changes between pages can move across the cursor.
    public var seenPostIDs: Set<Int64>
    /// Authors whose posts the viewer never sees (blocked either way, or muted): the ranker
    /// treats them as having used up their quota, so the scan skips them at no extra cost.
    public var hiddenAuthorIDs: Set<UserID>
    /// How many of each author's posts the viewer marked "show less" (absent: none).
    public var showLessByAuthor: [UserID: Int]
    /// How many posts of each kind (`CandidateRow.kindIndex`) the viewer marked "show less".
    public var showLessByKindIndex: [UInt8: Int] = [:]

    public init(
        viewerID: UserID, affinityByAuthor: [UserID: Double] = [:], friendIDs: Set<UserID> = [],
        seenPostIDs: Set<Int64> = [], hiddenAuthorIDs: Set<UserID> = [], showLessByAuthor: [UserID: Int] = [:]
    ) {
        self.viewerID = viewerID
        self.affinityByAuthor = affinityByAuthor
        self.friendIDs = friendIDs
        self.seenPostIDs = seenPostIDs
        self.hiddenAuthorIDs = hiddenAuthorIDs
        self.showLessByAuthor = showLessByAuthor
    }

    /// log1p of the viewer's "show less" marks on `author`'s posts: what the penalty weighs.
    public func showLessFeature(of author: UserID) -> Double {
        Self.showLessFeature(count: showLessByAuthor[author] ?? 0)
    }

    static func showLessFeature(count: Int) -> Double { log1p(Double(max(0, count))) }

    /// The affinity the scorer uses for `author`: clamped to 0…1, 0 when absent or not finite.
    public func affinity(to author: UserID) -> Double {
        affinityByAuthor[author].map(Self.clampedAffinity) ?? 0
    }

    static func clampedAffinity(_ value: Double) -> Double {
        value.isFinite ? min(max(value, 0), 1) : 0
    }
}
