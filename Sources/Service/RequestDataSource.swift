import Core
import LuaHost
import Social
import Synchronization

/// The bindings' reads for one request, remembered for the rest of it. A feed runs the circle's
/// `view` rule on every post it shows; each `quanzi.credit.score(...)` or
/// `quanzi.social.are_friends(...)` was a database read. The viewer's friends are already loaded
/// for ranking, so friendship with the viewer is answered from that set. (Profiles need no memo
/// here: `UserStore` keeps them in memory.) Values are those of the request's start.
final class RequestDataSource: ScriptDataSource {
    private struct Memo {
        var creditScores: [UserID: Int?] = [:]
    }

    private let base: any ScriptDataSource
    private let viewerID: UserID
    private let viewerFriendIDs: Set<UserID>
    private let memo = Mutex(Memo())

    init(base: any ScriptDataSource, viewerID: UserID, viewerFriendIDs: Set<UserID>) {
        self.base = base
        self.viewerID = viewerID
        self.viewerFriendIDs = viewerFriendIDs
    }

    func user(_ id: UserID) -> UserProfile? { base.user(id) }

    func creditScore(_ id: UserID) -> Int? {
        if let known = memo.withLock({ $0.creditScores[id] }) { return known }
        let found = base.creditScore(id)
        memo.withLock { $0.creditScores[id] = .some(found) }
        return found
    }

    func areFriends(_ first: UserID, _ second: UserID) -> Bool {
        if first == viewerID { return viewerFriendIDs.contains(second) }
        if second == viewerID { return viewerFriendIDs.contains(first) }
        return base.areFriends(first, second)
    }

    func isBlocked(_ first: UserID, _ second: UserID) -> Bool { base.isBlocked(first, second) }
    func creditExplanation(_ id: UserID) -> ScriptValue? { base.creditExplanation(id) }
    func affinity(from viewer: UserID, to author: UserID) -> Double { base.affinity(from: viewer, to: author) }
    func balanceFen(_ id: UserID) -> Int64? { base.balanceFen(id) }
    func experimentVariant(user: UserID, experiment: String, circle: CircleID?) throws(QuanziError) -> String? {
        try base.experimentVariant(user: user, experiment: experiment, circle: circle)
    }
    func experimentParameter(user: UserID, experiment: String, key: String, circle: CircleID?) throws(QuanziError) -> ScriptValue? {
        try base.experimentParameter(user: user, experiment: experiment, key: key, circle: circle)
    }
}
