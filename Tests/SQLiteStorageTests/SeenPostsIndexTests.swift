import Core
import PropertyBased
import StorageModel
import Testing

@testable import SQLiteStorage

/// The seen index answers "seen before this session began?" in O(1) for the usual question;
/// whatever the order of views and questions, its answers must be the naive ones: the posts
/// with a view in [since, before).
@Suite("seen posts index")
struct SeenPostsIndexTests {
    /// A step: note a view (post, time) or ask (before); times jump around, posts repeat.
    static let step = zip(Gen.bool, Gen.int64(in: 1...12), Gen.int64(in: 0...40))

    @Test("answers match a list of every view, for any order of views and questions")
    func matchesTheNaiveAnswer() async {
        await propertyCheck(count: 300, input: Self.step.array(of: 1...60)) { steps in
            var entry = SeenPostsIndex.Entry()
            var views: [SeenPostsIndex.View] = []
            for (isView, post, time) in steps {
                if isView {
                    let view = SeenPostsIndex.View(postID: post, atEpochSeconds: time)
                    entry.note(view)
                    views.append(view)
                } else {
                    let expected = Set(views.filter { $0.atEpochSeconds < time }.map(\.postID))
                    #expect(entry.seen(since: 0, before: time) == expected)
                }
            }
        }
    }

    @Test("the oldest views go once an entry holds too many posts")
    func boundedPerEntry() {
        var entry = SeenPostsIndex.Entry()
        let total = SeenPostsIndex.postsPerEntryMax * 2
        for post in 0..<Int64(total) { entry.note(.init(postID: post, atEpochSeconds: post)) }
        let seen = entry.seen(since: 0, before: Int64(total))
        #expect(seen.count <= SeenPostsIndex.postsPerEntryMax + SeenPostsIndex.postsPerEntryMax / 8)
        #expect(seen.contains(Int64(total - 1)) && !seen.contains(0))
    }

    @Test("all entries together hold at most the posts budget, plus one entry per generation of each shard")
    func boundedInAll() {
        let postsMax = 3_200
        let postsPerViewer = 50
        let index = SeenPostsIndex(postsMax: postsMax)
        var loads = 0
        func seen(_ viewer: Int64) -> Set<Int64> {
            index.seenPostIDs(UserID(viewer), circle: CircleID("c"), since: 0, before: 1_000) {
                loads += 1
                return (0..<Int64(postsPerViewer)).map { SeenPostsIndex.View(postID: viewer * 1_000 + $0, atEpochSeconds: 1) }
            }
        }
        for viewer in 1...2_000 { _ = seen(Int64(viewer)) }
        #expect(loads == 2_000)
        let size = index.size
        // Unbounded, 2,000 viewers would hold 100,000 posts.
        #expect(size.posts <= postsMax + 2 * 16 * postsPerViewer)
        #expect(size.posts >= postsMax / 2)
        // The latest viewer answers from memory; the first was dropped and reads again.
        #expect(seen(2_000).count == postsPerViewer)
        #expect(loads == 2_000)
        #expect(seen(1).count == postsPerViewer)
        #expect(loads == 2_001)
    }
}
