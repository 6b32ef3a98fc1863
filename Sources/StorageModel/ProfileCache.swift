import Core
import Social

/// Profiles already read, kept in memory. Nothing updates a user row once inserted (there is no
/// API for it), so a cached profile never goes stale; only absences are not cached, since the
/// user may be created later. A feed's `view` rule looks up hundreds of authors per request,
/// which made these reads the feed's largest cost. Should profiles ever become editable, the
/// writer must evict the profile here (and, with several nodes sharing PostgreSQL, tell the
/// other nodes to).
public final class ProfileCache: Sendable {
    /// About 200 bytes each: 100k profiles is ~20 MB. Past it the cache starts over.
    public static let profilesMax = 100_000

    private let profiles = ReadWriteLocked<[UserID: UserProfile]>([:])

    public init() {}

    public func profile(_ id: UserID) -> UserProfile? { profiles.read { $0[id] } }

    /// The cached profiles among `ids`, under one read lock; the rest are misses.
    public func profiles(_ ids: [UserID]) -> (found: [UserProfile], missing: [UserID]) {
        profiles.read { profiles in
            var found: [UserProfile] = []
            var missing: [UserID] = []
            found.reserveCapacity(ids.count)
            for id in ids {
                if let profile = profiles[id] { found.append(profile) } else { missing.append(id) }
            }
            return (found, missing)
        }
    }

    public func remember(_ profile: UserProfile) {
        profiles.write { profiles in
            if profiles.count >= Self.profilesMax { profiles.removeAll(keepingCapacity: true) }
            profiles[profile.id] = profile
        }
    }
}
