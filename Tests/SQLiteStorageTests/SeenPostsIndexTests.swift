import PropertyBased
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
}
