import Core
import Social

/// Read-only core data behind the `quanzi.*` bindings (`ScriptBinding.all`). Scripts can look,
/// never touch: money moves only through the core's own operations. Every read has a default
/// that knows nobody, so a fixture implements only what it knows; a source that wraps another
/// (`RequestDataSource`) must forward every read.
public protocol ScriptDataSource: Sendable {
    func user(_ id: UserID) -> UserProfile?
    /// The 350–950 credit score, or nil when the user is unknown.
    func creditScore(_ id: UserID) -> Int?
    /// Score, dimensions and reasons, as a record for `quanzi.credit.explain`.
    func creditExplanation(_ id: UserID) -> ScriptValue?
    func areFriends(_ first: UserID, _ second: UserID) -> Bool
    /// Whether either user blocked the other.
    func isBlocked(_ first: UserID, _ second: UserID) -> Bool
    /// Interaction affinity in [0, 1], decayed over time.
    func affinity(from viewer: UserID, to author: UserID) -> Double
    func balanceFen(_ id: UserID) -> Int64?
    /// The variant name when the user is in the running experiment (recording an exposure),
    /// nil when outside it. `circle`: whose rule asks (its plugin's version goes with the
    /// exposure); nil outside a rule.
    func experimentVariant(user: UserID, experiment: String, circle: CircleID?) throws(QuanziError) -> String?
    /// The variant's parameter when the user is in the experiment (recording an exposure), nil
    /// when outside it or when the variant does not set `key`. `circle` as for the variant.
    func experimentParameter(user: UserID, experiment: String, key: String, circle: CircleID?) throws(QuanziError) -> ScriptValue?
}

extension ScriptDataSource {
    public func user(_ id: UserID) -> UserProfile? { nil }
    public func creditScore(_ id: UserID) -> Int? { nil }
    public func creditExplanation(_ id: UserID) -> ScriptValue? { nil }
    public func areFriends(_ first: UserID, _ second: UserID) -> Bool { false }
    public func isBlocked(_ first: UserID, _ second: UserID) -> Bool { false }
    public func affinity(from viewer: UserID, to author: UserID) -> Double { 0 }
    public func balanceFen(_ id: UserID) -> Int64? { nil }
    public func experimentVariant(user: UserID, experiment: String, circle: CircleID?) throws(QuanziError) -> String? { nil }
    public func experimentParameter(user: UserID, experiment: String, key: String, circle: CircleID?) throws(QuanziError) -> ScriptValue? {
        nil
    }
}

/// A data source that knows nobody: for `quanzi check`, `eval` without a database, and as the
/// base of fixtures.
public struct EmptyDataSource: ScriptDataSource {
    public init() {}
}
