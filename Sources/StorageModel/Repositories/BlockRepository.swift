import Core
import Social

/// A user's blocks and mutes, as they list them.
public struct BlockList: Sendable, Hashable {
    public var blocked: [UserID]
    public var muted: [UserID]

    public init(blocked: [UserID], muted: [UserID]) {
        self.blocked = blocked
        self.muted = muted
    }
}

/// Blocks and mutes (`Blocking` says what they stop). Each write records its event in its
/// transaction; a block also ends a friendship between the two (with its `friend.removed`
/// event) and cancels pending friend requests between them.
public protocol BlockRepository: Sendable {
    /// Idempotent: blocking again changes nothing and writes nothing. Returns whether it was new.
    @discardableResult
    func block(_ blocker: UserID, _ blocked: UserID, at now: Int64) throws(QuanziError) -> Bool
    @discardableResult
    func unblock(_ blocker: UserID, _ blocked: UserID, at now: Int64) throws(QuanziError) -> Bool
    @discardableResult
    func mute(_ muter: UserID, _ muted: UserID, at now: Int64) throws(QuanziError) -> Bool
    @discardableResult
    func unmute(_ muter: UserID, _ muted: UserID, at now: Int64) throws(QuanziError) -> Bool
    /// Whether a block stands between the two, in either direction.
    func state(_ first: UserID, _ second: UserID) throws -> BlockState
    func list(of user: UserID) throws -> BlockList
}
