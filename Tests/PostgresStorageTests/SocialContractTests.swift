import Core
import Social
@_spi(LedgerStore) import StorageModel
import Testing

/// What the post and friend stores enforce themselves (ServiceTests' `PostingTests` and
/// `FriendTests` check these through the service), written once and run on each backend.
@Suite("posts and friends on every backend")
struct SocialContractTests {
    static let circle = CircleID("campus-diary")
    static let now = Backend.startEpochSeconds

    /// Users 1...count and the circle.
    static func world(_ stores: StoresBackend, users count: Int64) throws {
        for id in 1...count {
            try stores.users.insert(UserProfile(id: UserID(id), displayName: "user \(id)", createdAtEpochSeconds: now), isAdmin: id == 1)
        }
        try stores.posts.syncCircles([
            CircleDefinition(id: circle, title: "校园日记", location: SourceLocation(file: "campus-diary.lua", line: 1), ruleLocations: [:])
        ])
    }

    @Test("a post is stored with its event; likes are once per person, counted, and raise affinity", arguments: Backend.available)
    func postAndLikes(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                try Self.world(stores, users: 2)
                let post = try stores.posts.create(circle: Self.circle, author: UserID(1), kind: .photo, body: "图书馆的银杏", verdict: .visible, at: Self.now)
                #expect(post.status == .visible)
                #expect(try stores.posts.post(post.id) == post)
                #expect(try stores.posts.posts([post.id, 999]) == [post.id: post])
                try stores.posts.like(post.id, by: UserID(2), at: Self.now)
                #expect(throws: QuanziError(.alreadyLiked, "user 2 already likes post \(post.id)")) {
                    try stores.posts.like(post.id, by: UserID(2), at: Self.now)
                }
                #expect(try stores.posts.post(post.id)?.likeCount == 1)
                #expect(try stores.affinities.affinity(from: UserID(2), to: UserID(1), at: Self.now) > 0)
                #expect(try stores.affinities.affinity(from: UserID(1), to: UserID(2), at: Self.now) == 0)
                #expect(try stores.eventKinds() == ["user.created", "user.created", "post.created", "like.created"])
            }
        }
    }

    @Test("a post held by moderation is hidden, queued and closed to interaction", arguments: Backend.available)
    func moderated(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                try Self.world(stores, users: 2)
                let post = try stores.posts.create(
                    circle: Self.circle, author: UserID(1), kind: .text, body: "周末有空吗 加微信 聊聊",
                    verdict: .heldForReview(keywords: ["加微信"]), at: Self.now)
                #expect(post.status == .hidden && post.hiddenReason == "held for review: 加微信")
                #expect(try stores.posts.moderationOutcomes(of: UserID(1)) == (held: 1, removed: 0))
                #expect(throws: QuanziError(.postNotVisible, "post \(post.id) is hidden pending review")) {
                    try stores.posts.like(post.id, by: UserID(2), at: Self.now)
                }
                #expect(throws: QuanziError(.postNotVisible, "post \(post.id) is hidden pending review")) {
                    try stores.posts.requireVisible(post.id)
                }
                #expect(try stores.eventKinds().suffix(2) == ["post.created", "post.hidden"])
            }
        }
    }

    @Test("reports hide a post at the threshold, once per reporter", arguments: Backend.available)
    func reports(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                try Self.world(stores, users: 4)
                let post = try stores.posts.create(circle: Self.circle, author: UserID(1), kind: .text, body: "照片", verdict: .visible, at: Self.now)
                #expect(try stores.posts.report(post.id, by: UserID(2), reason: "spam", hideAtReports: 3, at: Self.now) == false)
                #expect(throws: QuanziError(.alreadyReported, "user 2 already reported post \(post.id)")) {
                    try stores.posts.report(post.id, by: UserID(2), reason: "spam again", hideAtReports: 3, at: Self.now)
                }
                #expect(try stores.posts.report(post.id, by: UserID(3), reason: "spam", hideAtReports: 3, at: Self.now) == false)
                #expect(try stores.posts.report(post.id, by: UserID(4), reason: "spam", hideAtReports: 3, at: Self.now) == true)
                let hidden = try #require(try stores.posts.post(post.id))
                #expect(hidden.status == .hidden && hidden.hiddenReason == "hidden after 3 reports" && hidden.reportCount == 3)
                #expect(try stores.posts.moderationOutcomes(of: UserID(1)).held == 1)
                #expect(try stores.eventKinds().filter { $0.hasPrefix("report") || $0 == "post.hidden" }
                    == ["report.created", "report.created", "report.created", "post.hidden"])
            }
        }
    }

    @Test("concurrent reports hide the post exactly once", arguments: Backend.available)
    func concurrentReports(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            let post = try await stores.sync { stores in
                try Self.world(stores, users: 9)
                return try stores.posts.create(circle: Self.circle, author: UserID(1), kind: .text, body: "x", verdict: .visible, at: Self.now)
            }
            // Each report: "hid", "counted", or the code it was refused with.
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for reporter in 2...9 {
                    group.addTask {
                        try await stores.sync { stores in
                            do {
                                let hid = try stores.posts.report(post.id, by: UserID(Int64(reporter)), reason: "r", hideAtReports: 3, at: Self.now)
                                return hid ? "hid" : "counted"
                            } catch {
                                return (error as? QuanziError)?.code.rawValue ?? "\(error)"
                            }
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            // The third report hides the post; later ones find it hidden.
            #expect(outcomes.sorted() == ["counted", "counted", "hid"] + Array(repeating: "post_not_visible", count: 5), "\(outcomes)")
            let hiddenEvents = try await stores.sync { try $0.eventKinds().filter { $0 == "post.hidden" }.count }
            #expect(hiddenEvents == 1)
        }
    }

    @Test("comments are listed in order and paged; the author alone deletes a post", arguments: Backend.available)
    func commentsAndDeletion(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                try Self.world(stores, users: 2)
                let post = try stores.posts.create(circle: Self.circle, author: UserID(1), kind: .text, body: "oops", verdict: .visible, at: Self.now)
                let first = try stores.posts.comment(on: post.id, by: UserID(2), body: "一", at: Self.now)
                let second = try stores.posts.comment(on: post.id, by: UserID(2), body: "二", at: Self.now + 1)
                #expect(try stores.posts.comments(on: post.id, afterID: 0, limit: 50) == [first, second])
                #expect(try stores.posts.comments(on: post.id, afterID: first.id, limit: 1) == [second])
                #expect(try stores.posts.post(post.id)?.commentCount == 2)
                #expect(throws: QuanziError(.forbidden, "only the author may delete post \(post.id)")) {
                    try stores.posts.delete(post.id, by: UserID(2), at: Self.now)
                }
                try stores.posts.delete(post.id, by: UserID(1), at: Self.now)
                #expect(throws: QuanziError(.postNotFound, "no post \(post.id)")) { try stores.posts.requireVisible(post.id) }
                #expect(throws: QuanziError(.postNotFound, "no post \(post.id)")) { try stores.posts.delete(post.id, by: UserID(1), at: Self.now) }
                #expect(throws: QuanziError(.postNotFound, "no post 12345")) { try stores.posts.like(12345, by: UserID(1), at: Self.now) }
                #expect(try stores.eventKinds().suffix(3) == ["comment.created", "comment.created", "post.deleted"])
            }
        }
    }

    @Test("users: lookups, pages, admins, and the cache never hides a user created later", arguments: Backend.available)
    func users(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                #expect(try stores.users.user(UserID(3)) == nil)
                try Self.world(stores, users: 3)
                #expect(try stores.users.user(UserID(3))?.displayName == "user 3")
                #expect(try stores.users.users([UserID(3), UserID(1), UserID(9)]).map(\.id).sorted() == [UserID(1), UserID(3)])
                #expect(try stores.users.page(afterID: UserID(1), limit: 1).map(\.id) == [UserID(2)])
                #expect(try stores.users.count() == 3)
                #expect(try stores.users.isAdmin(UserID(1)) && !stores.users.isAdmin(UserID(2)))
                #expect(throws: QuanziError(.userNotFound, "no user 9")) { try stores.users.require(UserID(9)) }
            }
        }
    }

    @Test("friend requests: pending once either way, accept befriends both ways, remove ends it", arguments: Backend.available)
    func friends(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                try Self.world(stores, users: 2)
                let friends = stores.friends
                let request = try friends.sendRequest(from: UserID(1), to: UserID(2), at: Self.now)
                #expect(throws: QuanziError(.friendRequestPending, "a friend request between 2 and 1 is already pending (request \(request.id))")) {
                    try friends.sendRequest(from: UserID(2), to: UserID(1), at: Self.now)
                }
                #expect(try friends.pendingRequests(to: UserID(2)).map(\.id) == [request.id])
                #expect(throws: QuanziError(.friendRequestNotFound, "no pending friend request \(request.id) to user 1")) {
                    try friends.decide(requestID: request.id, by: UserID(1), accept: true, at: Self.now)
                }
                let accepted = try friends.decide(requestID: request.id, by: UserID(2), accept: true, at: Self.now + 5)
                #expect(accepted.status == .accepted && accepted.decidedAtEpochSeconds == Self.now + 5)
                #expect(try friends.areFriends(UserID(1), UserID(2)) && friends.areFriends(UserID(2), UserID(1)))
                #expect(try friends.friends(of: UserID(1)) == [UserID(2)])
                #expect(throws: QuanziError(.alreadyFriends, "users 1 and 2 are already friends")) {
                    try friends.sendRequest(from: UserID(1), to: UserID(2), at: Self.now)
                }
                try friends.remove(UserID(2), friend: UserID(1), at: Self.now + 10)
                #expect(try !friends.areFriends(UserID(1), UserID(2)))
                #expect(throws: QuanziError(.notFriends, "users 2 and 1 are not friends")) {
                    try friends.remove(UserID(2), friend: UserID(1), at: Self.now)
                }
                #expect(throws: QuanziError(.sameUser, "you cannot befriend yourself")) { try friends.sendRequest(from: UserID(1), to: UserID(1), at: 0) }
                #expect(throws: QuanziError(.userNotFound, "no user 3")) { try friends.sendRequest(from: UserID(1), to: UserID(3), at: 0) }
                let declined = try friends.decide(
                    requestID: try friends.sendRequest(from: UserID(2), to: UserID(1), at: Self.now).id, by: UserID(1), accept: false, at: Self.now)
                #expect(declined.status == .declined)
                #expect(try !friends.areFriends(UserID(1), UserID(2)))
                #expect(try stores.eventKinds().filter { $0.hasPrefix("friend") }
                    == ["friend.requested", "friend.added", "friend.removed", "friend.requested", "friend.declined"])
            }
        }
    }

    @Test("tokens: stored by digest, for existing users only", arguments: Backend.available)
    func tokens(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                try Self.world(stores, users: 1)
                let digest = [UInt8](repeating: 7, count: 32)
                let token = try stores.tokens.insert(digest: digest, for: UserID(1), isAdmin: true, at: Self.now)
                #expect(try stores.tokens.token(digest: digest) == token)
                #expect(try stores.tokens.token(digest: [UInt8](repeating: 8, count: 32)) == nil)
                #expect(throws: QuanziError(.userNotFound, "no user 2")) {
                    try stores.tokens.insert(digest: [UInt8](repeating: 9, count: 32), for: UserID(2), isAdmin: false, at: Self.now)
                }
                #expect(throws: QuanziError(.invalidArgument, "a token digest is 32 bytes, got 3")) {
                    try stores.tokens.insert(digest: [1, 2, 3], for: UserID(1), isAdmin: false, at: Self.now)
                }
            }
        }
    }
}
