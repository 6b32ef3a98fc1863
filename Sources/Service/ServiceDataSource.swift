import Core
import LuaHost
import Social
import Storage

/// What `quanzi.*` bindings read in the running service: the database, read-only.
struct ServiceDataSource: ScriptDataSource {
    let users: UserStore
    let friends: FriendStore
    let affinities: AffinityStore
    let clock: any Clock

    func user(_ id: UserID) -> UserProfile? { try? users.user(id) }
    func creditScore(_ id: UserID) -> Int? { nil }
    func creditExplanation(_ id: UserID) -> ScriptValue? { nil }
    func areFriends(_ first: UserID, _ second: UserID) -> Bool { (try? friends.areFriends(first, second)) ?? false }
    func affinity(from viewer: UserID, to author: UserID) -> Double {
        (try? affinities.affinity(from: viewer, to: author, at: clock.nowEpochSeconds)) ?? 0
    }
    func balanceFen(_ id: UserID) -> Int64? { nil }
    func experimentVariant(user: UserID, experiment: String) throws(QuanziError) -> String? { nil }
    func experimentParameter(user: UserID, experiment: String, key: String) throws(QuanziError) -> ScriptValue? { nil }
}
