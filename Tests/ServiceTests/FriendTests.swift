import Core
import Social
import Testing

@testable import Service

@Suite("friend requests")
struct FriendTests {
    @Test("request, accept, and friends both ways")
    func accept() throws {
        let fixture = try ServiceFixture()
        try fixture.user(1)
        try fixture.user(2)
        let friends = fixture.service.friends
        let request = try friends.sendRequest(from: UserID(1), to: UserID(2), at: ServiceFixture.start)
        #expect(throws: QuanziError(.friendRequestPending, "a friend request between 2 and 1 is already pending (request \(request.id))")) {
            try friends.sendRequest(from: UserID(2), to: UserID(1), at: ServiceFixture.start)
        }
        #expect(try friends.pendingRequests(to: UserID(2)).map(\.id) == [request.id])
        #expect(throws: QuanziError(.friendRequestNotFound, "no pending friend request \(request.id) to user 1")) {
            try friends.decide(requestID: request.id, by: UserID(1), accept: true, at: ServiceFixture.start)
        }
        let accepted = try friends.decide(requestID: request.id, by: UserID(2), accept: true, at: ServiceFixture.start + 5)
        #expect(accepted.status == .accepted)
        #expect(try friends.areFriends(UserID(1), UserID(2)) && friends.areFriends(UserID(2), UserID(1)))
        #expect(throws: QuanziError(.alreadyFriends, "users 1 and 2 are already friends")) {
            try friends.sendRequest(from: UserID(1), to: UserID(2), at: ServiceFixture.start)
        }
        try friends.remove(UserID(2), friend: UserID(1), at: ServiceFixture.start + 10)
        #expect(try !friends.areFriends(UserID(1), UserID(2)))
        #expect(throws: QuanziError(.notFriends, "users 2 and 1 are not friends")) { try friends.remove(UserID(2), friend: UserID(1), at: ServiceFixture.start) }
    }

    @Test("decline, self and strangers")
    func refusals() throws {
        let fixture = try ServiceFixture()
        try fixture.user(1)
        try fixture.user(2)
        let friends = fixture.service.friends
        let request = try friends.sendRequest(from: UserID(1), to: UserID(2), at: ServiceFixture.start)
        #expect(try friends.decide(requestID: request.id, by: UserID(2), accept: false, at: ServiceFixture.start).status == .declined)
        #expect(try !friends.areFriends(UserID(1), UserID(2)))
        #expect(throws: QuanziError(.sameUser, "you cannot befriend yourself")) { try friends.sendRequest(from: UserID(1), to: UserID(1), at: 0) }
        #expect(throws: QuanziError(.userNotFound, "no user 3")) { try friends.sendRequest(from: UserID(1), to: UserID(3), at: 0) }
        _ = try friends.sendRequest(from: UserID(2), to: UserID(1), at: ServiceFixture.start)
    }
}
