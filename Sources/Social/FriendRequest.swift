import Core

public enum FriendRequestStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, accepted, declined, cancelled
}

/// A request from one user to another; accepting it makes them friends both ways.
public struct FriendRequest: Sendable, Hashable, Codable {
    public var id: Int64
    public var fromUserID: UserID
    public var toUserID: UserID
    public var status: FriendRequestStatus
    public var createdAtEpochSeconds: Int64
    public var decidedAtEpochSeconds: Int64?

    public init(
        id: Int64, fromUserID: UserID, toUserID: UserID, status: FriendRequestStatus, createdAtEpochSeconds: Int64,
        decidedAtEpochSeconds: Int64? = nil
    ) {
        self.id = id
        self.fromUserID = fromUserID
        self.toUserID = toUserID
        self.status = status
        self.createdAtEpochSeconds = createdAtEpochSeconds
        self.decidedAtEpochSeconds = decidedAtEpochSeconds
    }
}

extension FriendRequest {
    /// The request as decided by `user` at `now`: only its recipient may decide it, and only
    /// while it is pending (`friend_request_not_found` otherwise, so a stranger learns nothing).
    /// Both storage backends write what this returns.
    public static func decided(_ request: FriendRequest?, id: Int64, by user: UserID, accept: Bool, at now: Int64) throws(QuanziError)
        -> FriendRequest
    {
        guard var request, request.status == .pending, request.toUserID == user else {
            throw QuanziError(.friendRequestNotFound, "no pending friend request \(id) to user \(user)")
        }
        request.status = accept ? .accepted : .declined
        request.decidedAtEpochSeconds = now
        return request
    }
}
