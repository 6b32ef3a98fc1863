import Core

/// Blocks and mutes between two users: what each one stops, decided here once.
///
/// - A block works both ways: neither user may comment on, like, tip, report or view the
///   other's posts, or send the other a friend request, and a friendship between them ends. The
///   core checks it before any circle rule runs.
/// - A mute is one way and quiet: the muted user's posts leave the muter's feeds; nothing is
///   refused and the muted user is not told.
public enum Blocking {
    /// Refuses blocking or muting oneself.
    public static func checkPair(_ actor: UserID, _ other: UserID, what: String) throws(QuanziError) {
        guard actor != other else { throw QuanziError(.sameUser, "a user cannot \(what) themselves") }
    }

    /// The refusal for `actor` acting toward `other` when a block stands between them: which one
    /// blocked whom decides the message (the blocked user is told only that they may not).
    public static func refusal(actor: UserID, other: UserID, actorBlockedOther: Bool) -> QuanziError {
        actorBlockedOther
            ? QuanziError(.blocked, "user \(actor) blocked user \(other); unblock them first")
            : QuanziError(.blocked, "user \(other) does not accept this from user \(actor)")
    }
}

/// Whether a block stands between two users, and who made it.
public struct BlockState: Sendable, Hashable {
    public var firstBlockedSecond: Bool
    public var secondBlockedFirst: Bool

    public init(firstBlockedSecond: Bool, secondBlockedFirst: Bool) {
        self.firstBlockedSecond = firstBlockedSecond
        self.secondBlockedFirst = secondBlockedFirst
    }

    public var isBlocked: Bool { firstBlockedSecond || secondBlockedFirst }
}
