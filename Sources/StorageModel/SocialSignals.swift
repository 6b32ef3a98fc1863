import Core
import Social

/// A viewer's friends and stored affinities, as the feed ranks with them. Affinities are kept
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

    public init(friendIDs: Set<UserID>, affinities: [StoredAffinity]) {
        self.friendIDs = friendIDs
        self.affinities = affinities
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
