import Core
import Social
@_spi(LedgerStore) import StorageModel
import Testing

/// The review queue on each backend: held posts wait in order with their reports and keywords,
/// a decision changes the post and writes its event, the author's one appeal goes to another
/// moderator.
@Suite("the review queue on every backend")
struct ModerationContractTests {
    static let circle = SocialContractTests.circle
    static let now = Backend.startEpochSeconds
    static let author = UserID(2)
    static let moderator = UserID(3)
    static let secondModerator = UserID(4)

    /// Users 1…5; a post held by keywords (at `now`) and one hidden by two reports (at now + 10).
    static func heldPosts(_ stores: StoresBackend) throws -> (keywords: Post, reports: Post) {
        try SocialContractTests.world(stores, users: 5)
        let held = try stores.posts.create(
            circle: circle, author: author, kind: .text, body: "加微信 聊聊", verdict: .heldForReview(keywords: ["加微信"]), at: now)
        let reported = try stores.posts.create(circle: circle, author: author, kind: .photo, body: "a photo", verdict: .visible, at: now + 5)
        #expect(try stores.posts.report(reported.id, by: UserID(1), reason: "spam", hideAtReports: 2, at: now + 9) == false)
        #expect(try stores.posts.report(reported.id, by: UserID(5), reason: "rude", hideAtReports: 2, at: now + 10))
        return (held, reported)
    }

    @Test("held posts wait oldest first with their keywords and reports; the summary counts them", arguments: Backend.available)
    func queueOrder(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                let (held, reported) = try Self.heldPosts(stores)
                let queue = try stores.moderation.pending(afterID: nil, limit: 10)
                #expect(queue.map(\.item.postID) == [held.id, reported.id])
                #expect(queue[0].item.reason == .keywords && queue[0].item.detail == "加微信" && queue[0].reports.isEmpty)
                #expect(queue[0].postBody == "加微信 聊聊" && queue[0].item.authorID == Self.author)
                #expect(queue[1].item.reason == .reports && queue[1].item.detail == "2 reports" && queue[1].reportCount == 2)
                #expect(queue[1].reports.map(\.reason) == ["spam", "rude"] && queue[1].reports.map(\.reporterID) == [UserID(1), UserID(5)])
                #expect(try stores.moderation.pending(afterID: queue[0].item.id, limit: 10).map(\.item.postID) == [reported.id])
                #expect(try stores.moderation.pending(afterID: nil, limit: 1).map(\.item.postID) == [held.id])
                #expect(throws: QuanziError(.moderationItemNotFound, "no moderation item 999 to list after")) {
                    try stores.moderation.pending(afterID: 999, limit: 10)
                }
                #expect(try stores.moderation.summary() == ModerationQueueSummary(pending: 2, oldestQueuedAtEpochSeconds: Self.now))
            }
        }
    }

    @Test("approve shows the post again, remove keeps it hidden with the reason; each writes its event", arguments: Backend.available)
    func decisions(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                let (held, reported) = try Self.heldPosts(stores)
                let items = try stores.moderation.pending(afterID: nil, limit: 10).map(\.item)
                let approved = try stores.moderation.decide(items[0].id, .approve(note: nil), by: Self.moderator, at: Self.now + 100)
                #expect(approved.outcome == .restored && approved.decidedBy == Self.moderator && approved.decidedAtEpochSeconds == Self.now + 100)
                #expect(try stores.posts.requireVisible(held.id).hiddenReason == nil)
                let removed = try stores.moderation.decide(items[1].id, .remove(reason: "spam ring"), by: Self.moderator, at: Self.now + 200)
                #expect(removed.outcome == .removed && removed.decisionText == "spam ring" && removed.mayBeAppealed)
                let post = try #require(try stores.posts.post(reported.id))
                #expect(post.status == .hidden && post.hiddenReason == "removed by a moderator: spam ring")
                #expect(try stores.moderation.item(items[1].id) == removed)
                #expect(try stores.moderation.pending(afterID: nil, limit: 10).isEmpty)
                #expect(try stores.moderation.summary() == ModerationQueueSummary(pending: 0, oldestQueuedAtEpochSeconds: nil))
                #expect(try stores.eventKinds().suffix(2) == ["moderation.approved", "moderation.removed"])
                // Conduct (credit) sees the removal.
                #expect(try stores.posts.moderationOutcomes(of: Self.author) == (held: 2, removed: 1))
                // A decided item is not decided again.
                #expect(throws: QuanziError(.moderationConflict, "item \(items[0].id) was already decided (restored)")) {
                    try stores.moderation.decide(items[0].id, .remove(reason: "second thoughts"), by: Self.secondModerator, at: Self.now + 300)
                }
                #expect(try stores.moderation.items(ofAuthor: Self.author, limit: 10).map(\.outcome) == [.removed, .restored])
            }
        }
    }

    @Test("the author appeals once; the appeal waits for another moderator, whose approval shows the post", arguments: Backend.available)
    func appeal(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                let (_, reported) = try Self.heldPosts(stores)
                let item = try #require(try stores.moderation.latestItem(ofPost: reported.id))
                try stores.moderation.decide(item.id, .remove(reason: "spam"), by: Self.moderator, at: Self.now + 100)
                #expect(throws: QuanziError(.forbidden, "only the author of post \(reported.id) may appeal its removal")) {
                    try stores.moderation.appeal(item.id, by: UserID(5), text: nil, at: Self.now + 150)
                }
                let appealed = try stores.moderation.appeal(item.id, by: Self.author, text: "it is my own photo", at: Self.now + 200)
                #expect(appealed.outcome == .pending && appealed.isAppeal && appealed.firstDecidedBy == Self.moderator)
                #expect(try stores.posts.post(reported.id)?.hiddenReason == "appealed; waiting for another review")
                // Back in the queue, ordered by the appeal's time.
                let queue = try stores.moderation.pending(afterID: nil, limit: 10)
                #expect(queue.last?.item == appealed)
                #expect(try stores.moderation.summary().oldestQueuedAtEpochSeconds == Self.now)  // the keyword post still waits
                #expect(throws: QuanziError(.forbidden, "the appeal of item \(item.id) goes to another moderator than the one who removed it")) {
                    try stores.moderation.decide(item.id, .approve(note: nil), by: Self.moderator, at: Self.now + 250)
                }
                let restored = try stores.moderation.decide(item.id, .approve(note: "a real photo"), by: Self.secondModerator, at: Self.now + 300)
                #expect(restored.outcome == .restored && restored.firstDecisionText == "spam")
                #expect(try stores.posts.requireVisible(reported.id).id == reported.id)
                #expect(throws: QuanziError(.moderationConflict, "post \(reported.id) is shown again; only a removal can be appealed")) {
                    try stores.moderation.appeal(item.id, by: Self.author, text: nil, at: Self.now + 400)
                }
                #expect(try stores.eventKinds().suffix(3) == ["moderation.removed", "moderation.appealed", "moderation.approved"])
                #expect(try stores.posts.moderationOutcomes(of: Self.author) == (held: 2, removed: 0))
            }
        }
    }

    @Test("a second appeal, an empty removal reason and a decision of one's own post are refused", arguments: Backend.available)
    func refusals(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                let (held, _) = try Self.heldPosts(stores)
                let item = try #require(try stores.moderation.latestItem(ofPost: held.id))
                #expect(throws: QuanziError(.forbidden, "a moderator does not decide their own post (item \(item.id))")) {
                    try stores.moderation.decide(item.id, .approve(note: nil), by: Self.author, at: Self.now + 50)
                }
                #expect(throws: QuanziError(.emptyContent, "the removal reason is empty")) {
                    try stores.moderation.decide(item.id, .remove(reason: " "), by: Self.moderator, at: Self.now + 50)
                }
                try stores.moderation.decide(item.id, .remove(reason: "contact farming"), by: Self.moderator, at: Self.now + 100)
                try stores.moderation.appeal(item.id, by: Self.author, text: nil, at: Self.now + 200)
                try stores.moderation.decide(item.id, .remove(reason: "still contact farming"), by: Self.secondModerator, at: Self.now + 300)
                #expect(throws: QuanziError(.moderationConflict, "the removal of post \(held.id) was appealed once already")) {
                    try stores.moderation.appeal(item.id, by: Self.author, text: nil, at: Self.now + 400)
                }
                #expect(throws: QuanziError(.moderationItemNotFound, "no moderation item 999")) {
                    try stores.moderation.decide(999, .approve(note: nil), by: Self.moderator, at: Self.now)
                }
            }
        }
    }

    @Test("a look at the identity behind an item is recorded with its event and listed newest first", arguments: Backend.available)
    func identityLooks(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                let (held, reported) = try Self.heldPosts(stores)
                let first = try #require(try stores.moderation.latestItem(ofPost: held.id))
                let second = try #require(try stores.moderation.latestItem(ofPost: reported.id))
                let a = try stores.moderation.recordIdentityLook(item: first.id, by: Self.moderator, at: Self.now + 100)
                let b = try stores.moderation.recordIdentityLook(item: second.id, by: Self.secondModerator, at: Self.now + 200)
                #expect(a.authorID == Self.author && a.itemID == first.id && a.moderatorID == Self.moderator && a.atEpochSeconds == Self.now + 100)
                #expect(try stores.moderation.identityLooks(beforeID: nil, limit: 10) == [b, a])
                #expect(try stores.moderation.identityLooks(beforeID: b.id, limit: 10) == [a])
                #expect(try stores.eventKinds().suffix(2) == ["moderation.identity_viewed", "moderation.identity_viewed"])
                #expect(throws: QuanziError(.moderationItemNotFound, "no moderation item 999")) {
                    try stores.moderation.recordIdentityLook(item: 999, by: Self.moderator, at: Self.now)
                }
                #expect(try stores.moderation.identityLooks(beforeID: nil, limit: 10).count == 2, "a refused look records nothing")
            }
        }
    }

    @Test("a post a circle's rule asked to review is held and queued as 'rule' with the rule's reason", arguments: Backend.available)
    func heldByRule(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                try SocialContractTests.world(stores, users: 2)
                let post = try stores.posts.create(
                    circle: Self.circle, author: UserID(2), kind: .text, body: "hello", verdict: .heldByRule(reason: "new accounts wait"), at: Self.now)
                #expect(post.status == .hidden && post.hiddenReason == "held for review: new accounts wait")
                let item = try #require(try stores.moderation.pending(afterID: nil, limit: 10).first?.item)
                #expect(item.reason == .rule && item.detail == "new accounts wait" && item.postID == post.id)
                #expect(try stores.eventKinds().suffix(2) == ["post.created", "post.hidden"])
            }
        }
    }

    @Test("a held comment is hidden, uncounted and queued under its own author; approval shows, counts and announces it", arguments: Backend.available)
    func heldComment(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                try SocialContractTests.world(stores, users: 5)
                let post = try stores.posts.create(circle: Self.circle, author: UserID(1), kind: .text, body: "a post", verdict: .visible, at: Self.now)
                let shown = try stores.posts.comment(on: post.id, by: UserID(4), body: "nice", at: Self.now + 1)
                let held = try stores.posts.comment(
                    on: post.id, by: Self.author, body: "加微信", verdict: .heldForReview(keywords: ["加微信"]), at: Self.now + 2)
                #expect(held.heldForReview && !shown.heldForReview)
                #expect(try stores.posts.comments(on: post.id).map(\.id) == [shown.id], "a held comment is not listed")
                #expect(try stores.posts.post(post.id)?.commentCount == 1, "nor counted")
                #expect(try stores.eventKinds().suffix(2) == ["comment.created", "comment.hidden"])
                let entry = try #require(try stores.moderation.pending(afterID: nil, limit: 10).first)
                #expect(entry.item.commentID == held.id && entry.item.postID == post.id && entry.item.authorID == Self.author)
                #expect(entry.commentBody == "加微信" && entry.postBody == "a post")
                #expect(try stores.moderation.items(ofAuthor: Self.author, limit: 10).map(\.id) == [entry.item.id])
                #expect(try stores.moderation.items(ofAuthor: UserID(1), limit: 10).isEmpty, "the post's author holds nothing")
                #expect(try stores.moderation.latestItem(ofPost: post.id) == nil, "a post's latest item is the post's own")
                // The post's author's conduct does not count a comment's removal; the commenter's does.
                try stores.moderation.decide(entry.item.id, .remove(reason: "contact farming"), by: Self.moderator, at: Self.now + 10)
                #expect(try stores.posts.moderationOutcomes(of: UserID(1)) == (held: 0, removed: 0))
                _ = try stores.credit.recomputeAll(at: Self.now + 11)
                let codes = { (user: Int64) throws -> [String] in
                    try stores.credit.report(UserID(user))?.dimensions.flatMap(\.reasons).map(\.code.rawValue) ?? []
                }
                #expect(try codes(2).contains("conduct.comments_hidden"))
                #expect(try !codes(1).contains("conduct.comments_hidden") && !codes(1).contains("conduct.posts_hidden"))
                #expect(try stores.posts.requireVisible(post.id).id == post.id, "the post stays shown")
                try stores.moderation.appeal(entry.item.id, by: Self.author, text: nil, at: Self.now + 20)
                try stores.moderation.decide(entry.item.id, .approve(note: nil), by: Self.secondModerator, at: Self.now + 30)
                #expect(try stores.posts.comments(on: post.id).map(\.id) == [shown.id, held.id])
                #expect(try stores.posts.post(post.id)?.commentCount == 2)
                #expect(try stores.eventKinds().suffix(2) == ["comment.created", "moderation.approved"])
            }
        }
    }
}
