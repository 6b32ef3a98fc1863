import Core
import Credit
import Experiments
import Feed

/// Credit scores and their reports.
public protocol CreditRepository: Sendable {
    /// Rescores everyone; returns how many.
    func recomputeAll(at now: Int64) throws -> Int
    func score(_ user: UserID) throws -> Int?
    func allScores() throws -> [UserID: Int]
    func report(_ user: UserID) throws -> CreditReport?
}

/// Exposures, forced variants and experiment state changes.
public protocol ExperimentRepository: Sendable {
    /// Records a user's first exposure in `exposure.phase` and its event; false when the user was
    /// already exposed in that phase (nothing written, whichever node wrote the first).
    @discardableResult
    func recordExposure(_ exposure: ExperimentExposure, experiment: String) throws -> Bool
    /// The exposures of `phase`, or of every phase when nil, by user (then phase).
    func exposures(of experiment: String, phase: Int?) throws -> [ExperimentExposure]
    func allExposureKeys() throws -> [ExposureKey]
    /// Forces `user` into `variant` (replacing an earlier forcing), recording who and why.
    func force(experiment: String, user: UserID, variant: String, at now: Int64, actor: String, reason: String?) throws
    func overrides() throws -> [String: [UserID: String]]
    /// The users forced into a variant of `experiment`, oldest forcing first.
    func forcedUsers(of experiment: String) throws -> [ForcedUser]
    /// Exposed users per variant in `phase`.
    func exposureCounts(of experiment: String, phase: Int) throws -> [String: Int]
    /// Records `change` as revision `change.revision` of its experiment, with its event, in one
    /// transaction. Returns false, writing nothing, when that revision already exists: another
    /// node (or person) changed the experiment since the state this change was decided from.
    /// The primary key (experiment, revision) is the compare-and-set, so two nodes deciding the
    /// same step from the same state act once, with no lock held between the look and the write.
    func record(_ change: ExperimentChange) throws -> Bool
    /// Every recorded change of every experiment, oldest first per experiment.
    func allChanges() throws -> [String: [ExperimentChange]]
}

extension ExperimentRepository {
    /// Records a first exposure in phase 1 with no versions (tools and tests that write exposures
    /// by hand; the service records the versions, see `ExperimentService.expose`).
    @discardableResult
    public func recordExposure(experiment: String, user: UserID, variant: String, at now: Int64) throws -> Bool {
        try recordExposure(ExperimentExposure(userID: user, variant: variant, firstExposedAtEpochSeconds: now), experiment: experiment)
    }

    /// ``force(experiment:user:variant:at:actor:reason:)`` by the command line, with no reason.
    public func force(experiment: String, user: UserID, variant: String, at now: Int64) throws {
        try force(experiment: experiment, user: user, variant: variant, at: now, actor: "cli", reason: nil)
    }

    /// Every phase's exposures of `experiment`.
    public func exposures(of experiment: String) throws -> [ExperimentExposure] { try exposures(of: experiment, phase: nil) }

    /// Each experiment's state folded from its changes (only experiments with a change).
    public func lifecycles() throws -> [String: ExperimentLifecycle] {
        try allChanges().mapValues { changes in
            changes.reduce(ExperimentLifecycle(status: .draft)) { $0.applying($1) }
        }
    }
}

/// What experiment analysis reads from the events.
public protocol MetricReading: Sendable {
    /// The observations of the users exposed in `spec.phase` but `forced`, counting each user's
    /// events from their exposure in that phase up to `before`; with `splitByVersion`, also per
    /// combination of versions the users were first exposed under (`MetricObservations.byVersion`).
    func observations(for spec: ExperimentSpec, metrics: [MetricDefinition], excluding forced: Set<UserID>, before: Int64?,
                      splitByVersion: Bool) throws -> MetricObservations
}

extension MetricReading {
    /// The observations without the split by version.
    public func observations(for spec: ExperimentSpec, metrics: [MetricDefinition], excluding forced: Set<UserID>, before: Int64? = nil) throws
        -> MetricObservations
    {
        try observations(for: spec, metrics: metrics, excluding: forced, before: before, splitByVersion: false)
    }
}

/// What the feeds read: a circle's candidates at start-up, a viewer's friends and affinities.
public protocol FeedReading: Sendable {
    func candidateRows(circle: CircleID, now: Int64, limits: CandidateWindowLimits) throws -> [CandidateRow]
    /// The viewer's friends and stored affinities: from memory once read (`SocialSignalCache`),
    /// forgotten when a commit changes them.
    func socialSignals(of viewer: UserID) throws -> SocialSignals
    /// The viewer's signals if this node holds them and they are as current as the database is
    /// to this node's own reads; nil otherwise (nothing is loaded). A backend whose memory learns
    /// other nodes' changes later than the database has them answers nil: a block made on
    /// another node must refuse at once.
    func heldSocialSignals(of viewer: UserID) -> SocialSignals?
    /// Another node changed these viewers' friendships or affinities (the follower read the
    /// events its commit wrote): what this node holds for them is read again on next use.
    func forgetSocialSignals(of viewers: [UserID])
    /// ``forgetSocialSignals(of:)`` for everyone (a change that names no viewers).
    func forgetAllSocialSignals()
    /// What the feeds' reads hold in memory, for `/metrics`.
    var memory: FeedMemory { get }
}

/// What a node holds in memory so that a feed page reads nothing from the database, and the
/// bounds it holds it within (the eviction rules are the caches').
public struct FeedMemory: Sendable, Hashable {
    /// Viewers whose friends and affinities are held (at most `SocialSignalCache.entriesMax`).
    public var socialSignalViewers: Int
    /// (viewer, circle) seen sets held (at most `SeenPostsIndex.entriesMax`), and the posts in
    /// them (at most `SeenPostsIndex.postsMax` in all, `postsPerEntryMax` and an eighth per set).
    public var seenSets: Int
    public var seenPosts: Int

    public init(socialSignalViewers: Int, seenSets: Int, seenPosts: Int) {
        self.socialSignalViewers = socialSignalViewers
        self.seenSets = seenSets
        self.seenPosts = seenPosts
    }
}

/// API tokens by digest.
public protocol TokenRepository: Sendable {
    /// `expiresAt` is `nil` for a token that never expires; else it must be after `now`.
    func insert(digest: [UInt8], for user: UserID, isAdmin: Bool, isModerator: Bool, at now: Int64, expiresAt: Int64?) throws(QuanziError)
        -> APIToken
    /// The token with this digest unless revoked; an expired one is returned (the caller says
    /// "expired", which tells a client to sign in again, rather than "unknown").
    func token(digest: [UInt8]) throws -> APIToken?
    /// Marks the selected live tokens revoked at `now` and returns them (none when nothing was live).
    func revoke(_ selection: TokenSelection, at now: Int64) throws(QuanziError) -> [APIToken]
}

extension TokenRepository {
    /// Records a token that never expires.
    public func insert(digest: [UInt8], for user: UserID, isAdmin: Bool, at now: Int64) throws(QuanziError) -> APIToken {
        try insert(digest: digest, for: user, isAdmin: isAdmin, isModerator: false, at: now, expiresAt: nil)
    }

    /// Records a token without the moderator role.
    public func insert(digest: [UInt8], for user: UserID, isAdmin: Bool, at now: Int64, expiresAt: Int64?) throws(QuanziError) -> APIToken {
        try insert(digest: digest, for: user, isAdmin: isAdmin, isModerator: false, at: now, expiresAt: expiresAt)
    }
}

/// Wallet reads outside the wallet's own calls: a balance, a history page, payment contacts.
public protocol WalletReading: Sendable {
    func balanceFen(of user: UserID) throws -> Int64?
    func historyPage(of user: UserID, before: Int64?, limit: Int) throws -> (items: [WalletHistoryItem], next: Int64?)
    func paymentContacts(for user: UserID, limit: Int) throws -> [(user: UserID, payments: Int)]
}

/// Appends events outside any other write (a rule's denial).
public protocol EventAppending: Sendable {
    func append(_ event: Event) throws
}

