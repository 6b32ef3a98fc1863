import Core
import Social
import StorageModel

/// Blocks and mutes (issue 25; `Blocking` says what they stop). The core checks a block before
/// any circle rule runs: `viewablePost` (and so likes, comments, reports and tips, which all
/// start there), friend requests, and `decide`, whose denial names the block.
extension QuanziService {
    /// `blocker` blocks `blocked`: a friendship between them ends, and each one's feeds drop the
    /// other's posts at once (on other nodes when their followers read the event). Idempotent.
    @discardableResult
    public func block(_ blocked: UserID, by blocker: UserID) throws(QuanziError) -> Bool {
        try storage.blocks.block(blocker, blocked, at: now)
    }

    @discardableResult
    public func unblock(_ blocked: UserID, by blocker: UserID) throws(QuanziError) -> Bool {
        try storage.blocks.unblock(blocker, blocked, at: now)
    }

    /// `muter` stops seeing `muted`'s posts in their feeds; nothing else changes. Idempotent.
    @discardableResult
    public func mute(_ muted: UserID, by muter: UserID) throws(QuanziError) -> Bool {
        try storage.blocks.mute(muter, muted, at: now)
    }

    @discardableResult
    public func unmute(_ muted: UserID, by muter: UserID) throws(QuanziError) -> Bool {
        try storage.blocks.unmute(muter, muted, at: now)
    }

    public func blockList(of user: UserID) throws(QuanziError) -> BlockList {
        try QuanziError.wrapping { try storage.blocks.list(of: user) }
    }

    /// The `blocked` refusal when a block stands between `actor` and `other`, else nil.
    public func blockRefusal(actor: UserID, other: UserID) throws(QuanziError) -> QuanziError? {
        guard actor != other else { return nil }
        // The actor's signals when this node holds them current (a feed page just loaded them),
        // else one indexed read of the two rows that could exist: cheaper than loading the
        // signals, which a server's cache forgets at each like, comment or tip.
        let state: BlockState
        if let held = storage.feeds.heldSocialSignals(of: actor) {
            state = held.blockState(with: other)
        } else {
            state = try QuanziError.wrapping { try storage.blocks.state(actor, other) }
        }
        guard state.isBlocked else { return nil }
        return Blocking.refusal(actor: actor, other: other, actorBlockedOther: state.firstBlockedSecond)
    }

    /// Throws `blocked` when a block stands between the two users.
    func requireNotBlocked(_ actor: UserID, _ other: UserID) throws(QuanziError) {
        if let refusal = try blockRefusal(actor: actor, other: other) { throw refusal }
    }

    /// A friend request through the one door: refused with `blocked` when either blocked the other.
    public func sendFriendRequest(from sender: UserID, to recipient: UserID) throws(QuanziError) -> FriendRequest {
        try requireNotBlocked(sender, recipient)
        return try friends.sendRequest(from: sender, to: recipient, at: now)
    }
}
