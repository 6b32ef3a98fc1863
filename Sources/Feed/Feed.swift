// Feed: native feed ranking, the performance-critical path of Quanzi (issue 5).
//
// Pure domain code, no database, no Lua:
//   CandidateWindow    recent posts of one circle as structure-of-arrays, updated incrementally
//                      (insert, like, comment, tip, report, hide, restore, delete) and evicted by
//                      age and count; loaded from rows at startup.
//   RankingParameters  the circle plugin's `ranking` table (plus experiment overrides), read once
//                      per request.
//   ViewerSignals      what the caller knows about the viewer: affinity, friends, seen posts.
//   FeedRanker         score every candidate in one tight loop, keep the best in a bounded heap
//                      (TopK), then walk them best-first applying author diversity and the
//                      caller's visibility check lazily; opaque cursors for the next page.
//   FeedExplanation    each feature's contribution to a post's score; they sum to the score.
//
// The score (see Scorer): decay · (1 + engagement + tips + credit + affinity + friendship)
// − reports − seen, where decay = 2^(−age / half-life). Quality features are scaled by recency
// so that an old viral post fades instead of holding the top forever; penalties are not, so a
// reported or already-seen post is pushed down whatever its age.
//
// Concurrency: `CandidateWindow` is a value type. The integrator keeps one per circle behind a
// lock and ranks under it (well under a millisecond for 100,000 candidates), or ranks on a copy
// when writes are rare (a write after a copy duplicates the arrays).

/// Named limits of the feed (TigerBeetle style: every bound has a name and a reason).
public enum FeedLimits {
    /// Posts per page a request may ask for: a screenful or two; larger pages only cost latency.
    public static let pageSizeMax = 100
    /// Posts one paging session may reach. Bounds the cursor, which carries per-author counts
    /// for diversity (a few bytes per author shown so far): ~2 KB at this depth.
    public static let depthMax = 500
    /// How long a cursor stays valid. The window keeps posts this much longer than its age limit,
    /// so no post an open session may still show is evicted under it.
    public static let cursorLifetimeSeconds: Int64 = 3_600
    /// How far in the future a cursor's time may be: the node that made it may have a clock
    /// running slightly ahead of this one's. Anything further was not made by a node.
    public static let cursorClockSkewSeconds: Int64 = 300
}
