import Core
import HummingbirdTesting
import Testing

@testable import Server

@Suite("/v1/red-packets: create, read, claim")
struct RedPacketsTests {
    @Test("a packet for listed users: created, claimed once (a second claim replays the share), hidden from outsiders")
    func listedUsers() async throws {
        let fixture = try APIFixture()
        let sender = try await fixture.token(2)
        let listed = try await fixture.token(3)
        let outsider = try await fixture.token(4)
        try await fixture.fund(2, fen: 10_000)
        try await fixture.app().test(.router) { client in
            let body = #"{"split": "fixed", "total_fen": 300, "share_count": 3, "audience": {"kind": "users", "user_ids": [3]}}"#
            let created = try await client.call(.post, "/v1/red-packets", token: sender, json: body, key: "rp-1")
            #expect(created.status == .created)
            let packet = try created.object()
            let id = try field(packet, "id", as: Int.self)
            #expect(packet["seed"] == nil)
            #expect(try field(packet["audience"] as! [String: Any], "user_ids", as: [Int].self) == [3])
            let replay = try await client.call(.post, "/v1/red-packets", token: sender, json: body, key: "rp-1")
            #expect(replay.text == created.text)

            let claim = try await client.call(.post, "/v1/red-packets/\(id)/claim", token: listed, key: "c1")
            #expect(claim.status == .created)
            #expect(try field(claim.object(), "amount_fen", as: Int.self) == 100)
            let again = try await client.call(.post, "/v1/red-packets/\(id)/claim", token: listed, key: "c2")
            #expect(again.text == claim.text)
            #expect(again.headers[.idempotentReplayed] == "true")

            let refused = try await client.call(.post, "/v1/red-packets/\(id)/claim", token: outsider, key: "c3")
            #expect(refused.status == .notFound)
            #expect(try refused.errorCode() == "red_packet_not_found")
            #expect(try await client.call(.post, "/v1/red-packets/\(id)/claim", token: listed).status == .badRequest)

            let state = try await client.call(.get, "/v1/red-packets/\(id)", token: sender).object()
            #expect(try field(state, "remaining_fen", as: Int.self) == 200)
            #expect(try field(state, "claims", as: [[String: Any]].self).count == 1)
            #expect(try await client.call(.get, "/v1/red-packets/\(id)", token: listed).status == .ok)
            let hidden = try await client.call(.get, "/v1/red-packets/\(id)", token: outsider)
            #expect(hidden.status == .notFound)
            #expect(try hidden.errorCode() == "red_packet_not_found")
        }
    }

    @Test("a friends packet is claimable by a friend; an expired one is 410")
    func friendsAndExpiry() async throws {
        let fixture = try APIFixture()
        let sender = try await fixture.token(2)
        let friend = try await fixture.token(3)
        let late = try await fixture.token(4)
        for id: Int64 in [3, 4] { try fixture.service.friends.befriend(UserID(2), UserID(id), at: APIFixture.start) }
        try await fixture.fund(2, fen: 10_000)
        try await fixture.app().test(.router) { client in
            let body = #"{"split": "lucky", "total_fen": 1000, "share_count": 2, "audience": {"kind": "friends"}}"#
            let id = try field(
                try await client.call(.post, "/v1/red-packets", token: sender, json: body, key: "f").object(), "id", as: Int.self)
            #expect(try await client.call(.post, "/v1/red-packets/\(id)/claim", token: friend, key: "k").status == .created)
            fixture.clock.advance(bySeconds: fixture.service.wallet.limits.redPacketLifetimeSeconds)
            let expired = try await client.call(.post, "/v1/red-packets/\(id)/claim", token: late, key: "k")
            #expect(expired.status == .gone)
            #expect(try expired.errorCode() == "red_packet_expired")
        }
    }

    @Test("bad packets: unknown audience kind 400, too many shares 422, unknown circle 404, over the cap 422, a system id 400")
    func refusals() async throws {
        let fixture = try APIFixture()
        let sender = try await fixture.token(2)
        try await fixture.fund(2, fen: 100_000)
        try await fixture.app().test(.router) { client in
            func create(_ json: String) async throws -> TestResponse {
                try await client.call(.post, "/v1/red-packets", token: sender, json: json, key: "x-\(json.hashValue)")
            }
            #expect(
                try await create(#"{"split": "fixed", "total_fen": 10, "share_count": 1, "audience": {"kind": "moon"}}"#).status
                    == .badRequest)
            let shares = try await create(#"{"split": "fixed", "total_fen": 2, "share_count": 3, "audience": {"kind": "friends"}}"#)
            #expect(try shares.errorCode() == "count_exceeds_total")
            let circle = try await create(
                #"{"split": "fixed", "total_fen": 10, "share_count": 1, "audience": {"kind": "circle", "circle_id": "nope"}}"#)
            #expect(circle.status == .notFound)
            let cap = try await create(#"{"split": "fixed", "total_fen": 20001, "share_count": 1, "audience": {"kind": "friends"}}"#)
            #expect(cap.status == .unprocessableContent)
            #expect(try cap.errorCode() == "exceeds_limit")
            let systemIDs = try await create(
                #"{"split": "fixed", "total_fen": 10, "share_count": 1, "audience": {"kind": "users", "user_ids": [-2]}}"#)
            #expect(systemIDs.status == .badRequest)
            #expect(try await client.call(.get, "/v1/red-packets/77", token: sender).status == .notFound)
        }
    }
}
