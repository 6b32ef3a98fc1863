import Core
import HummingbirdTesting
import Testing

@testable import Server

@Suite("/v1/friends: requests, accept, decline, list, remove, suggestions")
struct FriendsTests {
    @Test("a request accepted by its recipient makes friends both ways; removing ends it")
    func acceptAndRemove() async throws {
        let fixture = try APIFixture()
        let alice = try await fixture.token(2)
        let bob = try await fixture.token(3)
        try await fixture.app().test(.router) { client in
            let sent = try await client.call(.post, "/v1/friends/requests", token: alice, json: #"{"to_user_id": 3}"#)
            #expect(sent.status == .created)
            let request = try sent.object()
            #expect(try field(request, "status", as: String.self) == "pending")
            let id = try field(request, "id", as: Int.self)

            let pending = try await client.call(.get, "/v1/friends/requests", token: bob).object()
            #expect(try field(pending, "requests", as: [[String: Any]].self).map { $0["id"] as? Int } == [id])

            let accepted = try await client.call(.post, "/v1/friends/requests/\(id)/accept", token: bob)
            #expect(accepted.status == .ok)
            #expect(try field(accepted.object(), "status", as: String.self) == "accepted")

            let friends = try await client.call(.get, "/v1/friends", token: alice).object()
            #expect(try field(friends, "friends", as: [[String: Any]].self).map { $0["id"] as? Int } == [3])

            #expect(try await client.call(.delete, "/v1/friends/2", token: bob).status == .noContent)
            let again = try await client.call(.delete, "/v1/friends/2", token: bob)
            #expect(again.status == .notFound)
            #expect(try again.errorCode() == "not_friends")
        }
    }

    @Test("declining leaves no friendship; only the recipient may decide")
    func decline() async throws {
        let fixture = try APIFixture()
        let alice = try await fixture.token(2)
        let bob = try await fixture.token(3)
        try await fixture.app().test(.router) { client in
            let id = try field(
                try await client.call(.post, "/v1/friends/requests", token: alice, json: #"{"to_user_id": 3}"#).object(), "id", as: Int.self
            )
            let bySender = try await client.call(.post, "/v1/friends/requests/\(id)/accept", token: alice)
            #expect(bySender.status == .notFound)
            #expect(try bySender.errorCode() == "friend_request_not_found")
            let declined = try await client.call(.post, "/v1/friends/requests/\(id)/decline", token: bob).object()
            #expect(try field(declined, "status", as: String.self) == "declined")
            #expect(try field(try await client.call(.get, "/v1/friends", token: bob).object(), "friends", as: [Any].self).isEmpty)
        }
    }

    @Test("oneself is 422, a duplicate 409, a stranger to the system 404")
    func refusals() async throws {
        let fixture = try APIFixture()
        let alice = try await fixture.token(2)
        try fixture.user(3)
        try await fixture.app().test(.router) { client in
            let selfRequest = try await client.call(.post, "/v1/friends/requests", token: alice, json: #"{"to_user_id": 2}"#)
            #expect(selfRequest.status == .unprocessableContent)
            #expect(try selfRequest.errorCode() == "same_user")
            #expect(try await client.call(.post, "/v1/friends/requests", token: alice, json: #"{"to_user_id": 3}"#).status == .created)
            let duplicate = try await client.call(.post, "/v1/friends/requests", token: alice, json: #"{"to_user_id": 3}"#)
            #expect(duplicate.status == .conflict)
            #expect(try duplicate.errorCode() == "friend_request_pending")
            let nobody = try await client.call(.post, "/v1/friends/requests", token: alice, json: #"{"to_user_id": 999}"#)
            #expect(nobody.status == .notFound)
        }
    }

    @Test("suggestions are the people one pays, most payments first, friends excluded")
    func suggestions() async throws {
        let fixture = try APIFixture()
        let alice = try await fixture.token(2)
        for id: Int64 in [3, 4, 5] { _ = try await fixture.token(id) }
        try await fixture.fund(2, fen: 10_000)
        let wallet = fixture.service.wallet
        for (to, times) in [(3, 1), (4, 3), (5, 2)] {
            for n in 0..<times {
                _ = try await wallet.transfer(from: UserID(2), to: UserID(Int64(to)), amountFen: 10, idempotencyKey: "s\(to)-\(n)")
            }
        }
        try fixture.service.friends.befriend(UserID(2), UserID(5), at: APIFixture.start)
        try await fixture.app().test(.router) { client in
            let body = try await client.call(.get, "/v1/friends/suggestions", token: alice).object()
            let suggestions = try field(body, "suggestions", as: [[String: Any]].self)
            #expect(suggestions.map { ($0["user"] as? [String: Any])?["id"] as? Int } == [4, 3])
            #expect(suggestions.map { $0["payments_together"] as? Int } == [3, 1])
        }
    }
}
