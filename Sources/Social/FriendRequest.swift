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
