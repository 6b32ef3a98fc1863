import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
@_spi(LedgerStore) import PostgresStorage
import Server
@_spi(LedgerStore) import Service
import Testing

/// Money over HTTP goes through the one door on PostgreSQL too: a tip served by node A moves the
/// post's tips term on A (its own feed window) and on B (through the events table), and the
/// tipper's affinity, which both nodes read from the database.
@Suite("HTTP money through the one door on PostgreSQL", PostgresTestDatabase.available)
struct PostgresOneDoorTests {
    @Test("a tip over HTTP on node A reaches both nodes' feeds and the tipper's affinity; a transfer both users' affinity")
    func tipReachesBothNodes() async throws {
        try await FollowTests.withTwoNodes { a, b, clock in
            let circle = FollowTests.circle
            let post = try await Backend.offPool { try a.createPost(by: UserID(2), in: circle, body: "worth a tip, on PostgreSQL") }
            try await FollowTests.eventually("A's post in B's window") { b.feeds.candidate(postID: post.id, in: circle) != nil }
            let issuer = TokenIssuer(store: a.storage.tokens, wallet: a.wallet, clock: clock)
            let tipper = try await issuer.issue(for: UserID(3), admin: false).token
            for user in [2, 4] { _ = try await issuer.issue(for: UserID(Int64(user)), admin: false) }  // opens their accounts
            #expect(try await a.wallet.topUp(UserID(3), amountFen: 5_000, idempotencyKey: "fund").code == "ok")

            try await quietApplication(a).test(.router) { client in
                let tip = try await PostgresHostileClientTests.call(
                    client, .post, "/v1/posts/\(post.id)/tips", token: tipper, json: #"{"amount_fen": 400}"#, key: "http-tip")
                #expect(tip == "201 -")
                let pay = try await PostgresHostileClientTests.call(
                    client, .post, "/v1/wallet/transfers", token: tipper, json: #"{"to_user_id": 4, "amount_fen": 100}"#, key: "http-pay")
                #expect(pay == "201 -")
            }
            #expect(a.feeds.candidate(postID: post.id, in: circle)?.tipsFen == 400, "the serving node counts its own tip")
            try await FollowTests.eventually("A's HTTP tip on B") { b.feeds.candidate(postID: post.id, in: circle)?.tipsFen == 400 }
            // PostgreSQL writes money's affinity behind the commit: wait for it, on the serving node.
            await a.wallet.flushAffinity()
            let now = clock.nowEpochSeconds
            let affinities = try await Backend.offPool {
                [
                    try a.affinities.affinity(from: UserID(3), to: UserID(2), at: now),
                    try b.affinities.affinity(from: UserID(3), to: UserID(2), at: now),
                    try b.affinities.affinity(from: UserID(3), to: UserID(4), at: now),
                    try b.affinities.affinity(from: UserID(4), to: UserID(3), at: now),
                ]
            }
            #expect(affinities.allSatisfy { $0 > 0 }, "\(affinities)")
            #expect(try await b.wallet.verify().isConsistent)
        }
    }
}
