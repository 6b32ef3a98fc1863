import Core
@_spi(LedgerStore) import PostgresStorage
import Social
@_spi(LedgerStore) import StorageModel
import Testing

/// `PostgresBulkWriter` buffers rows and decides likes, reports and post ids in memory: what it
/// writes must be what the single-write stores would have written, one call at a time.
@Suite("bulk writes on PostgreSQL", PostgresTestDatabase.available)
struct BulkWriterTests {
    static let circle = CircleID("campus-diary")
    static let now = Backend.startEpochSeconds

    static func prepare(_ backend: PostgresBackend, users: ClosedRange<Int64>) throws {
        try backend.posts.syncCircles([
            CircleDefinition(id: circle, title: "校园日记", location: SourceLocation(file: "campus-diary.lua", line: 1), ruleLocations: [:])
        ])
        try backend.bulkWrite { writer in
            for id in users { try writer.insertUser(UserProfile(id: UserID(id), displayName: "u\(id)", createdAtEpochSeconds: now)) }
        }
    }

    @Test("posts created in bulk take the ids single writes would, and live writes continue after them")
    func postIDs() async throws {
        try await PostgresTestDatabase.withBackend { backend in
            let ids = try await Backend.offPool { () throws -> [Int64] in
                try Self.prepare(backend, users: 1...2)
                var ids = try backend.bulkWrite { writer in
                    try (0..<3).map { _ in try writer.createPost(circle: Self.circle, author: UserID(1), kind: .text, body: "a", verdict: .visible, at: Self.now).id }
                }
                ids.append(try backend.posts.create(circle: Self.circle, author: UserID(2), kind: .text, body: "b", verdict: .visible, at: Self.now).id)
                ids += try backend.bulkWrite { writer in
                    [try writer.createPost(circle: Self.circle, author: UserID(2), kind: .text, body: "c", verdict: .heldForReview(keywords: ["c"]), at: Self.now).id]
                }
                return ids
            }
            #expect(ids == [1, 2, 3, 4, 5])
        }
    }

    @Test("a later bulk write decides likes and reports against what earlier ones stored")
    func decidedAgainstStoredRows() async throws {
        try await PostgresTestDatabase.withBackend { backend in
            let (liked, secondReport, thirdHides, post) = try await Backend.offPool { () throws -> (Bool, Bool, Bool, Post?) in
                try Self.prepare(backend, users: 1...4)
                let post = try backend.bulkWrite { writer in
                    let post = try writer.createPost(circle: Self.circle, author: UserID(1), kind: .text, body: "a", verdict: .visible, at: Self.now)
                    try writer.like(post.id, by: UserID(2), at: Self.now)
                    try writer.report(post.id, by: UserID(2), reason: "spam", hideAtReports: 3, at: Self.now)
                    return post
                }
                return try backend.bulkWrite { writer in
                    let liked = try writer.like(post.id, by: UserID(2), at: Self.now)
                    #expect(throws: QuanziError.self) { try writer.report(post.id, by: UserID(2), reason: "again", hideAtReports: 3, at: Self.now) }
                    let second = try writer.report(post.id, by: UserID(3), reason: "spam", hideAtReports: 3, at: Self.now)
                    let third = try writer.report(post.id, by: UserID(4), reason: "spam", hideAtReports: 3, at: Self.now)
                    #expect(throws: QuanziError.self) { try writer.like(post.id, by: UserID(3), at: Self.now) }
                    return (liked, second, third, try backend.posts.post(post.id))
                }
            }
            #expect(!liked && !secondReport && thirdHides)
            #expect(post?.likeCount == 1 && post?.reportCount == 1, "the first bulk write's rows only: this one has not flushed")
            let stored = try await Backend.offPool { try backend.posts.post(1) }
            #expect(stored?.likeCount == 1 && stored?.reportCount == 3)
            #expect(stored?.status == .hidden && stored?.hiddenReason == "hidden after 3 reports")
            #expect(try await Backend.offPool { try backend.posts.moderationOutcomes(of: UserID(1)) } == (held: 1, removed: 0))
        }
    }

    @Test("every event a bulk write buffers is stored in call order, and records the node that wrote it")
    func eventsWithOrigin() async throws {
        try await PostgresTestDatabase.withBackends(1) { backends in
            let backend = backends[0]
            let (events, seen, postID) = try await Backend.offPool { () throws -> ([FollowedEvent], Set<Int64>, Int64) in
                try Self.prepare(backend, users: 1...2)
                var postID: Int64 = 0
                try backend.bulkWrite { writer in
                    try writer.befriend(UserID(1), UserID(2), at: Self.now)
                    let post = try writer.createPost(circle: Self.circle, author: UserID(1), kind: .text, body: "a", verdict: .visible, at: Self.now)
                    postID = post.id
                    try writer.recordView(post.id, circle: Self.circle, by: UserID(2), author: UserID(1), at: Self.now)
                    try writer.like(post.id, by: UserID(2), at: Self.now)
                    try writer.comment(on: post.id, by: UserID(2), body: "好", at: Self.now)
                    try writer.report(post.id, by: UserID(2), reason: "spam", hideAtReports: 1, at: Self.now)
                    try writer.recordReport(on: UserID(1), by: nil, at: Self.now)
                }
                let events = try #require(backend.eventFollowing).events(after: 0, pendingIDs: [], limit: 100).events
                let seen = try backend.makeViewRecorder(durability: .beforeReturn)
                    .seenPostIDs(UserID(2), circle: Self.circle, since: 0, before: Self.now + 1)
                return (events, seen, postID)
            }
            // The view is a page row, not an event (`ViewedPage`); SameWorldTests reads it back.
            let kinds: [EventKind] = [
                .userCreated, .userCreated, .friendAdded, .postCreated, .likeCreated, .commentCreated, .reportCreated,
                .postHidden, .reportCreated,
            ]
            #expect(events.map(\.event.kind) == kinds.map(\.rawValue))
            #expect(events.map(\.id) == Array(1...9))
            #expect(seen == [postID], "the bulk-written view is read back from page_views")
            #expect(events.allSatisfy { $0.origin == "node-0" })
        }
    }
}
