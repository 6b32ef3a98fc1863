import Core
import Credit
import Experiments
import LuaHost
import Social
import StorageModel

/// What `quanzi.*` bindings read in the running service: the database, read-only.
struct ServiceDataSource: ScriptDataSource {
    let users: any UserRepository
    let friends: any FriendRepository
    let affinities: any AffinityRepository
    let credit: any CreditRepository
    let walletReads: any WalletReading
    let socialReads: any FeedReading
    let clock: any Clock
    /// Nil inside experiment targeting, where asking for a variant would recurse.
    var experiments: ExperimentService?
    /// False for previews (the REPL's `:why`): looking at a rule must not count as exposure.
    var recordsExposures = true

    func user(_ id: UserID) -> UserProfile? { try? users.user(id) }
    /// A user not yet scored by a batch counts as the bottom of the scale until the next
    /// recompute: a rule like "credit 750+" fails closed instead of erroring.
    func creditScore(_ id: UserID) -> Int? {
        if let score = (try? credit.score(id)) ?? nil { return score }
        return user(id) == nil ? nil : CreditScale.minimumScore
    }

    func creditExplanation(_ id: UserID) -> ScriptValue? {
        guard let report = try? credit.report(id) else { return nil }
        return CreditRecord.make(report)
    }
    func areFriends(_ first: UserID, _ second: UserID) -> Bool { (try? friends.areFriends(first, second)) ?? false }
    /// From the first user's social signals (memory on a warm node). A failed read answers true:
    /// a rule asking about a block fails closed.
    func isBlocked(_ first: UserID, _ second: UserID) -> Bool {
        guard let signals = try? socialReads.socialSignals(of: first) else { return true }
        return signals.blockState(with: second).isBlocked
    }
    func affinity(from viewer: UserID, to author: UserID) -> Double {
        (try? affinities.affinity(from: viewer, to: author, at: clock.nowEpochSeconds)) ?? 0
    }
    func balanceFen(_ id: UserID) -> Int64? { (try? walletReads.balanceFen(of: id)) ?? nil }
    func experimentVariant(user: UserID, experiment: String, circle: CircleID?) throws(QuanziError) -> String? {
        try exposedAssignment(user, experiment, circle)?.variant?.name
    }

    func experimentParameter(user: UserID, experiment: String, key: String, circle: CircleID?) throws(QuanziError) -> ScriptValue? {
        guard let value = try exposedAssignment(user, experiment, circle)?.variant?.parameters[key] else { return nil }
        switch value {
        case .boolean(let flag): return .boolean(flag)
        case .integer(let number): return .integer(number)
        case .number(let number): return .number(number)
        case .string(let text): return .string(text)
        }
    }

    private func exposedAssignment(_ user: UserID, _ experiment: String, _ circle: CircleID?) throws(QuanziError) -> ExperimentAssignment? {
        guard let experiments else { throw QuanziError(.invalidArgument, "quanzi.ab is not available inside experiment targeting") }
        guard let profile = try QuanziError.wrapping({ try users.user(user) }) else { throw QuanziError(.userNotFound, "no user \(user)") }
        guard recordsExposures else { return try experiments.assign(profile, to: experiment) }
        return try experiments.expose(profile, to: experiment, circle: circle)
    }
}
