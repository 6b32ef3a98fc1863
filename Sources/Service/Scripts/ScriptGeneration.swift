import BlockingWork
import Core
import Experiments
import LuaHost
import Social
import Synchronization

/// One loaded set of plugins and experiments with everything built from it: the rule engine and
/// its Lua states, the experiments' targeting states, each circle's moderation. A reload builds a
/// new generation beside the serving one and swaps it in; a request pins the generation it
/// started with (``QuanziService/withPinnedScripts(_:)``) and sees only that one, and the old
/// generation's Lua states are closed when the last request holding it ends (they are owned by
/// this object, nothing else keeps a reference).
public final class ScriptGeneration: Sendable {
    /// 1 for the set loaded at start, then one more per accepted reload, in this process.
    public let number: Int
    public let versions: ScriptVersions
    /// When this set went live (epoch seconds).
    public let loadedAtEpochSeconds: Int64
    /// When each file's current version was first loaded in this process (an unchanged file keeps
    /// its time across reloads), by path.
    public let fileLoadedAtEpochSeconds: [String: Int64]
    public let plugins: PluginSet
    public let experimentSet: ExperimentSet
    public let rules: RuleEngine
    let experimentEngine: ExperimentEngine
    let moderators: [CircleID: Moderator]
    /// The service this generation belongs to: a pinned generation of another service in the
    /// same process (tests run several nodes) is never used by this one.
    let owner: ObjectIdentifier

    init(
        number: Int, plugins: PluginSet, experiments: ExperimentSet, dataSource: any ScriptDataSource, clock: any Clock,
        limits: ScriptLimits, globalKeywords: [String], owner: ObjectIdentifier, previous: ScriptGeneration?
    ) {
        self.number = number
        self.plugins = plugins
        experimentSet = experiments
        versions = ScriptVersions(plugins: plugins, experiments: experiments)
        let now = clock.nowEpochSeconds
        loadedAtEpochSeconds = now
        var loadedAt: [String: Int64] = [:]
        for file in versions.files {
            let kept = previous.flatMap { old in old.versions.version(ofPath: file.path) == file.version ? old.fileLoadedAtEpochSeconds[file.path] : nil }
            loadedAt[file.path] = kept ?? now
        }
        fileLoadedAtEpochSeconds = loadedAt
        rules = RuleEngine(plugins: plugins, dataSource: dataSource, clock: clock, limits: limits)
        experimentEngine = ExperimentEngine(experiments: experiments, dataSource: dataSource, clock: clock, limits: limits)
        var moderators: [CircleID: Moderator] = [:]
        for circle in plugins.circles { moderators[circle.id] = Moderator(policy: circle.moderation, globalKeywords: globalKeywords) }
        self.moderators = moderators
        self.owner = owner
    }

    /// The version of the file declaring `circle`, for exposures a circle's rule or ranking makes.
    public func pluginVersion(ofCircle circle: CircleID) -> String? { plugins.version(ofCircle: circle) }

    /// The version of the file declaring `experiment`.
    public func experimentVersion(of experiment: String) -> String? { experimentSet.version(ofExperiment: experiment) }
}

/// The generation in force, swapped atomically by a reload. Readers take a reference under a
/// read lock (a pointer copy); a request's pinned generation wins over the current one.
final class ScriptHolder: Sendable {
    private let current = ReadWriteLocked<ScriptGeneration?>(nil)
    var owner: ObjectIdentifier { ObjectIdentifier(self) }

    init() {}

    /// The request's pinned generation if it belongs to this service, else the current one.
    var generation: ScriptGeneration {
        if let pinned = Blocking.pinned as? ScriptGeneration, pinned.owner == owner { return pinned }
        return serving
    }

    /// The generation new requests get, whatever the caller pinned.
    var serving: ScriptGeneration {
        guard let generation = current.read({ $0 }) else { preconditionFailure("the service's scripts are read before they were loaded") }
        return generation
    }

    /// Makes `generation` the one new requests get; returns the one it replaces.
    @discardableResult
    func install(_ generation: ScriptGeneration) -> ScriptGeneration? {
        current.write { slot in
            let previous = slot
            slot = generation
            return previous
        }
    }
}
