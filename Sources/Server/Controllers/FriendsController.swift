import APIInput
import BlockingWork
import Core
import Hummingbird
import Service

/// `/v1/friends`: the caller's friends, requests to and from them, and suggestions from the
/// people they exchange money with.
struct FriendsController {
    let service: QuanziService
    let suggestions: FriendSuggestionsQuery

    func addRoutes(to group: RouterGroup<QuanziRequestContext>) {
        group.get("friends", use: list)
        group.delete("friends/:id", use: remove)
        group.get("friends/requests", use: pendingRequests)
        group.post("friends/requests", use: sendRequest)
        group.post("friends/requests/:id/accept", use: accept)
        group.post("friends/requests/:id/decline", use: decline)
        group.get("friends/suggestions", use: suggest)
    }

    @Sendable func list(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let friends = try await Blocking.run { [service] in try service.friends.friends(of: caller.userID).compactMap { try service.users.user($0) } }
        return try JSONResponse.make(FriendsView(friends: friends.map(PublicUserView.init)))
    }

    @Sendable func remove(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let friend = UserID(try context.pathID("id"))
        try await Blocking.commit { [service] in try service.friends.remove(caller.userID, friend: friend, at: service.clock.nowEpochSeconds) }
        return Response(status: .noContent)
    }

    @Sendable func pendingRequests(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let pending = try await Blocking.run { [service] in try service.friends.pendingRequests(to: caller.userID) }
        return try JSONResponse.make(FriendRequestsView(requests: pending.map(FriendRequestView.init)))
    }

    @Sendable func sendRequest(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let body = try await request.decodeJSON(as: NewFriendRequest.self, context: context)
        let sent = try await Blocking.commit { [service] in try service.sendFriendRequest(from: caller.userID, to: UserID(body.toUserID)) }
        return try JSONResponse.make(FriendRequestView(sent), status: .created)
    }

    @Sendable func accept(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        try await decide(context, accept: true)
    }

    @Sendable func decline(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        try await decide(context, accept: false)
    }

    private func decide(_ context: QuanziRequestContext, accept: Bool) async throws -> Response {
        let caller = try context.requireCaller()
        let requestID = try context.pathID("id")
        let decided = try await Blocking.commit { [service] in
            try service.friends.decide(requestID: requestID, by: caller.userID, accept: accept, at: service.clock.nowEpochSeconds)
        }
        return try JSONResponse.make(FriendRequestView(decided))
    }

    @Sendable func suggest(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let contacts = try await suggestions.suggestions(for: caller.userID, limit: ServerLimits.suggestionsMax)
        let views = try await Blocking.run { [service] in
            try contacts.compactMap { contact in
                try service.users.user(contact.user).map { SuggestionView(user: PublicUserView($0), paymentsTogether: contact.payments) }
            }
        }
        return try JSONResponse.make(SuggestionsView(suggestions: views))
    }
}
