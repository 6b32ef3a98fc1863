import Core
import HummingbirdTesting
import Ledger
import Testing

@testable import Server

/// `POST /v1/red-packets/:id/claim` from callers who probe ids or send malformed keys.
@Suite("/v1/red-packets/:id/claim against hostile callers")
struct RedPacketHostileClaimTests {
    @Test("claiming a packet the caller may not see answers exactly as claiming one that does not exist")
    func invisibleIsMissing() async throws {
        let fixture = try APIFixture()
        let sender = try await fixture.token(2)
        let outsider = try await fixture.token(4)
        _ = try await fixture.token(3)
        try fixture.service.friends.befriend(UserID(2), UserID(3), at: APIFixture.start)
        try await fixture.fund(2, fen: 10_000)
        try await fixture.app().test(.router) { client in
            let listed = #"{"split": "fixed", "total_fen": 300, "share_count": 3, "audience": {"kind": "users", "user_ids": [3]}}"#
            let friends = #"{"split": "fixed", "total_fen": 300, "share_count": 3, "audience": {"kind": "friends"}}"#
            var ids: [Int] = []
            for (key, body) in [("listed", listed), ("friends", friends)] {
                let created = try await client.call(.post, "/v1/red-packets", token: sender, json: body, key: key)
                ids.append(try field(created.object(), "id", as: Int.self))
            }
            let missing = try await client.call(.post, "/v1/red-packets/\(ids.max()! + 1000)/claim", token: outsider, key: "probe-0")
            #expect(missing.status == .notFound)
            #expect(try missing.errorCode() == "red_packet_not_found")
            for (index, id) in ids.enumerated() {
                let invisible = try await client.call(.post, "/v1/red-packets/\(id)/claim", token: outsider, key: "probe-\(index + 1)")
                #expect(invisible.status == missing.status)
                #expect(invisible.text == missing.text)
                #expect(invisible.headers[.contentType] == missing.headers[.contentType])
            }
        }
    }

    @Test("an over-long Idempotency-Key is refused on claim with the code /v1/wallet/transfers uses, and claims nothing")
    func overLongKey() async throws {
        let fixture = try APIFixture()
        let sender = try await fixture.token(2)
        let claimer = try await fixture.token(3)
        try await fixture.fund(2, fen: 10_000)
        try await fixture.fund(3, fen: 100)
        let overLong = String(repeating: "k", count: 129)
        try await fixture.app().test(.router) { client in
            let body = #"{"split": "fixed", "total_fen": 300, "share_count": 3, "audience": {"kind": "users", "user_ids": [3]}}"#
            let id = try field(
                try await client.call(.post, "/v1/red-packets", token: sender, json: body, key: "rp").object(), "id", as: Int.self)
            let transfer = try await client.call(
                .post, "/v1/wallet/transfers", token: claimer, json: #"{"to_user_id": 2, "amount_fen": 1}"#, key: overLong)
            let claim = try await client.call(.post, "/v1/red-packets/\(id)/claim", token: claimer, key: overLong)
            #expect(transfer.status == .badRequest)
            #expect(try transfer.errorCode() == "invalid_idempotency_key")
            #expect(claim.status == transfer.status)
            #expect(try claim.errorCode() == "invalid_idempotency_key")
            // Refused before the wallet is asked, even for a claim it would have granted.
            let state = try await fixture.service.wallet.redPacket(RedPacketID(Int64(id)))
            #expect(state?.claims.isEmpty == true)
            // The longest allowed key (128 bytes) still claims.
            let allowed = try await client.call(.post, "/v1/red-packets/\(id)/claim", token: claimer, key: String(overLong.dropLast()))
            #expect(allowed.status == .created)
        }
    }
}
