import Core
import Social

/// A viewer's friends, stored affinities and hidden authors, as the feed ranks with them. Affinities are kept
/// as stored (score and last update) and decayed when used, so a cached copy never ages.
public struct SocialSignals: Sendable, Hashable {
    public struct StoredAffinity: Sendable, Hashable {
        public var authorID: UserID
        public var score: Double
        public var updatedAtEpochSeconds: Int64

        public init(authorID: UserID, score: Double, updatedAtEpochSeconds: Int64) {
            self.authorID = authorID
            self.score = score
            self.updatedAtEpochSeconds = updatedAtEpochSeconds
        }
    }

    public var friendIDs: Set<UserID>
    public var affinities: [StoredAffinity]
    /// Whom the viewer blocked, who blocked the viewer, and whom the viewer muted.
    public var blockedIDs: Set<UserID>
    public var blockerIDs: Set<UserID>
    public var mutedIDs: Set<UserID>
    /// How many of each author's posts the viewer marked "show less".
    public var showLessByAuthor: [UserID: Int] = [:]
    /// How many posts of each kind the viewer marked "show less".
    public var showLessByKind: [PostKind: Int] = [:]

    public init(
        friendIDs: Set<UserID>, affinities: [StoredAffinity], blockedIDs: Set<UserID> = [], blockerIDs: Set<UserID> = [],
        mutedIDs: Set<UserID> = []
    ) {
        self.friendIDs = friendIDs
        self.affinities = affinities
        self.blockedIDs = blockedIDs
        self.blockerIDs = blockerIDs
        self.mutedIDs = mutedIDs
    }

    /// Authors whose posts the viewer never sees: blocked either way, or muted.
    public var hiddenAuthorIDs: Set<UserID> { blockedIDs.union(blockerIDs).union(mutedIDs) }

    /// Whether a block stands between the viewer and `other`, and who made it.
    public func blockState(with other: UserID) -> BlockState {
        BlockState(firstBlockedSecond: blockedIDs.contains(other), secondBlockedFirst: blockerIDs.contains(other))
    }

    /// Sorts the (kind, user) rows of `hiddenAuthorsSQL`-style queries: 0 blocked, 1 blocker, 2 muted.
    public mutating func addRelation(kind: Int, user: UserID) {
        switch kind {
        case 0: blockedIDs.insert(user)
        case 1: blockerIDs.insert(user)
        default: mutedIDs.insert(user)
        }
    }

    /// Affinity per author at `now`, normalized to 0…1.
    public func affinityByAuthor(at now: Int64) -> [UserID: Double] {
        var byAuthor: [UserID: Double] = [:]
        byAuthor.reserveCapacity(affinities.count)
        for stored in affinities {
            byAuthor[stored.authorID] = Affinity.normalized(
                Affinity.decayed(stored.score, updatedAtEpochSeconds: stored.updatedAtEpochSeconds, nowEpochSeconds: now))
        }
        return byAuthor
    }
}
