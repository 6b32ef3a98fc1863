import Experiments

/// Which script versions each node serves, and since when: what `quanzi ab analyze` compares to
/// tell whether the nodes that served an experiment agreed (`NodeVersionAgreement`). Only
/// backends shared by several nodes keep it (`StorageBackend.nodeScriptVersions`, PostgreSQL);
/// on SQLite one process serves, and there is nothing to compare.
public protocol NodeScriptVersionLogging: Sendable {
    /// This backend's node: the `node` of the rows it writes (and of its exposures).
    var nodeID: String { get }

    /// Records that this node serves exactly `files` from `now` on, in one transaction: its open
    /// rows of files it no longer serves at their version are closed at `now`, a row is opened for
    /// each file it newly serves, and every open row is marked seen at `now`. Idempotent: called
    /// again with the same files it is a heartbeat.
    func recordServing(_ files: [ScriptFileVersion], at now: Int64) throws

    /// Closes this node's open rows at `now`: it serves nothing from then on (a clean stop).
    func stopServing(at now: Int64) throws

    /// Every node's rows that may overlap [`from`, `until`): closed rows ending after `from`, and
    /// every open row, all starting before `until`.
    func servedFiles(from: Int64, until: Int64) throws -> [ServedScriptFile]
}

extension StorageBackend {
    /// Nil: the backend has one node (SQLite).
    public var nodeScriptVersions: (any NodeScriptVersionLogging)? { nil }
}
