import Core
import Social
@_spi(LedgerStore) import StorageModel
import Testing

/// Blocks and mutes on each backend: what a block ends, its events, idempotence, and the social
/// signals the feed and the core's check read.
@Suite("blocks and mutes on every backend")
struct BlockContractTests {
    static let now = Backend.startEpochSeconds

    @Test("a cold viewer's social signals hold every kind: friends, affinities in author order, blocks both ways, mutes, show-less by author and kind", arguments: Backend.available)
    func coldSignals(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                try SocialContractTests.world(stores, users: 6)
                try stores.friends.befriend(UserID(1), UserID(2), at: Self.now)
                try stores.friends.befriend(UserID(1), UserID(3), at: Self.now)
                let byFour = try stores.posts.create(circle: SocialContractTests.circle, author: UserID(4), kind: .text, body: "a", verdict: .visible, at: Self.now)
                let byTwo = try stores.posts.create(circle: SocialContractTests.circle, author: UserID(2), kind: .photo, body: "b", verdict: .visible, at: Self.now)
                let byThree = try [PostKind.photo, .text].map { kind in
                    try stores.posts.create(circle: SocialContractTests.circle, author: UserID(3), kind: kind, body: "c", verdict: .visible, at: Self.now)
                }
                try stores.posts.like(byFour.id, by: UserID(1), at: Self.now + 1)  // affinity 1→4 first, then 1→2
                try stores.posts.like(byTwo.id, by: UserID(1), at: Self.now + 2)
                for post in [byTwo] + byThree { #expect(try stores.posts.showLess(post.id, by: UserID(1), at: Self.now + 3)) }
                #expect(try stores.blocks.block(UserID(1), UserID(5), at: Self.now + 4))
                #expect(try stores.blocks.block(UserID(6), UserID(1), at: Self.now + 5))
                #expect(try stores.blocks.mute(UserID(1), UserID(3), at: Self.now + 6))
                stores.feeds.forgetAllSocialSignals()
                let signals = try stores.feeds.socialSignals(of: UserID(1))
                #expect(signals.friendIDs == [UserID(2), UserID(3)])
                #expect(signals.affinities.map(\.authorID) == [UserID(2), UserID(4)])
                #expect(signals.affinities.allSatisfy { $0.score > 0 && $0.updatedAtEpochSeconds > Self.now })
                #expect(signals.blockedIDs == [UserID(5)] && signals.blockerIDs == [UserID(6)] && signals.mutedIDs == [UserID(3)])
                #expect(signals.showLessByAuthor == [UserID(2): 1, UserID(3): 2])
                #expect(signals.showLessByKind == [.photo: 2, .text: 1])
                // Someone with none of them: empty, not an error.
                #expect(try stores.feeds.socialSignals(of: UserID(4)).affinities.isEmpty)
            }
        }
    }

    @Test("a block ends the friendship and cancels pending requests, once; unblock lifts only the block", arguments: Backend.available)
    func block(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                try SocialContractTests.world(stores, users: 4)
                try stores.friends.befriend(UserID(1), UserID(2), at: Self.now)
                let request = try stores.friends.sendRequest(from: UserID(3), to: UserID(1), at: Self.now)
                #expect(try stores.blocks.block(UserID(1), UserID(2), at: Self.now + 1))
                #expect(try stores.blocks.block(UserID(3), UserID(1), at: Self.now + 2))
                #expect(try stores.blocks.block(UserID(1), UserID(2), at: Self.now + 3) == false, "blocking again changes nothing")
                #expect(try stores.friends.areFriends(UserID(1), UserID(2)) == false)
                #expect(try stores.friends.pendingRequests(to: UserID(1)).map(\.id).contains(request.id) == false)
                #expect(try stores.blocks.state(UserID(1), UserID(2)) == BlockState(firstBlockedSecond: true, secondBlockedFirst: false))
                #expect(try stores.blocks.state(UserID(2), UserID(1)) == BlockState(firstBlockedSecond: false, secondBlockedFirst: true))
                #expect(try stores.blocks.list(of: UserID(1)) == BlockList(blocked: [UserID(2)], muted: []))
                let signals = try stores.feeds.socialSignals(of: UserID(1))
                #expect(signals.blockedIDs == [UserID(2)] && signals.blockerIDs == [UserID(3)] && signals.hiddenAuthorIDs == [UserID(2), UserID(3)])
                #expect(signals.friendIDs.isEmpty)
                #expect(try stores.eventKinds().suffix(3) == ["user.blocked", "friend.removed", "user.blocked"])
                #expect(try stores.blocks.unblock(UserID(1), UserID(2), at: Self.now + 4))
                #expect(try stores.blocks.unblock(UserID(1), UserID(2), at: Self.now + 5) == false)
                #expect(try stores.blocks.state(UserID(1), UserID(2)).isBlocked == false)
                #expect(try stores.feeds.socialSignals(of: UserID(1)).blockedIDs.isEmpty, "the cache forgot the block")
                #expect(try stores.friends.areFriends(UserID(1), UserID(2)) == false, "an ended friendship stays ended")
                #expect(try stores.eventKinds().last == "user.unblocked")
            }
        }
    }

    /// The core's block check reads the actor's held signals instead of the block rows when the
    /// backend says they are current (SQLite, one writer); a block made since must show in them.
    /// PostgreSQL holds none for this: another node's block reaches memory only through the follower.
    @Test("held social signals show a block made since they were loaded, or are not offered", arguments: Backend.available)
    func heldSignalsAreCurrent(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                try SocialContractTests.world(stores, users: 3)
                _ = try stores.feeds.socialSignals(of: UserID(1))
                #expect(try stores.blocks.block(UserID(2), UserID(1), at: Self.now))
                #expect(try stores.blocks.block(UserID(1), UserID(3), at: Self.now + 1))
                let afterBlocks = BlockState(firstBlockedSecond: false, secondBlockedFirst: true)
                if let held = stores.feeds.heldSocialSignals(of: UserID(1)) {
                    #expect(held.blockState(with: UserID(2)) == afterBlocks && held.blockState(with: UserID(3)).firstBlockedSecond)
                }
                _ = try stores.feeds.socialSignals(of: UserID(1))
                let held = stores.feeds.heldSocialSignals(of: UserID(1))
                switch backend {
                case .sqlite:
                    #expect(held?.blockState(with: UserID(2)) == afterBlocks, "held once loaded, and current")
                case .postgres:
                    #expect(held == nil, "a node's memory learns other nodes' blocks late: never offered")
                }
                #expect(try stores.blocks.unblock(UserID(2), UserID(1), at: Self.now + 2))
                if let held = stores.feeds.heldSocialSignals(of: UserID(1)) { #expect(held.blockState(with: UserID(2)).isBlocked == false) }
            }
        }
    }

    @Test("a mute is one way and hides only; oneself and unknown users are refused", arguments: Backend.available)
    func mute(_ backend: Backend) async throws {
        try await backend.withStores { stores, _ in
            try await stores.sync { stores in
                try SocialContractTests.world(stores, users: 3)
                try stores.friends.befriend(UserID(1), UserID(2), at: Self.now)
                #expect(try stores.blocks.mute(UserID(1), UserID(2), at: Self.now))
                #expect(try stores.blocks.mute(UserID(1), UserID(2), at: Self.now) == false)
                #expect(try stores.friends.areFriends(UserID(1), UserID(2)), "a mute ends nothing")
                #expect(try stores.feeds.socialSignals(of: UserID(1)).mutedIDs == [UserID(2)])
                #expect(try stores.feeds.socialSignals(of: UserID(2)).hiddenAuthorIDs.isEmpty, "the muted user is not told")
                #expect(try stores.blocks.state(UserID(1), UserID(2)).isBlocked == false)
                #expect(try stores.blocks.unmute(UserID(1), UserID(2), at: Self.now))
                #expect(try stores.feeds.socialSignals(of: UserID(1)).mutedIDs.isEmpty)
                #expect(throws: QuanziError(.sameUser, "a user cannot block themselves")) { try stores.blocks.block(UserID(1), UserID(1), at: Self.now) }
                #expect(throws: QuanziError(.sameUser, "a user cannot mute themselves")) { try stores.blocks.mute(UserID(1), UserID(1), at: Self.now) }
                #expect(throws: QuanziError(.userNotFound, "no user 99")) { try stores.blocks.block(UserID(1), UserID(99), at: Self.now) }
                #expect(try stores.eventKinds().suffix(2) == ["user.muted", "user.unmuted"])
            }
        }
    }
}
