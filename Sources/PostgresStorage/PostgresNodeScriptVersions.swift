import Experiments
import PostgresNIO
import StorageModel

/// Which script versions this node serves, in `node_script_versions` (see
/// ``NodeScriptVersionLogging``): one row per (node, file, version) served without a break, open
/// while served.
public struct PostgresNodeScriptVersions: NodeScriptVersionLogging {
    let database: QuanziPostgresDatabase
    public let nodeID: String

    public init(database: QuanziPostgresDatabase, nodeID: String) {
        self.database = database
        self.nodeID = nodeID
    }

    public func recordServing(_ files: [ScriptFileVersion], at now: Int64) throws {
        try database.write { session in
            // Locks this node's open rows: a heartbeat and a reload of the same node queue here.
            let open = try session.rows(
                """
                SELECT id, folder, path, version FROM node_script_versions
                WHERE node = \(nodeID) AND served_until IS NULL FOR UPDATE
                """, as: (Int64, String, String, String).self)
            let serving = Set(files)
            var kept: Set<ScriptFileVersion> = []
            var ended: [Int64] = []
            for (id, folder, path, version) in open {
                let file = ScriptFileVersion.Folder(rawValue: folder).map { ScriptFileVersion(folder: $0, path: path, version: version) }
                if let file, serving.contains(file) { kept.insert(file) } else { ended.append(id) }
            }
            if !ended.isEmpty {
                try session.execute(
                    """
                    UPDATE node_script_versions SET served_until = GREATEST(served_from, \(now)), seen_at = GREATEST(seen_at, \(now))
                    WHERE id = ANY(\(ended))
                    """)
            }
            try session.execute(
                "UPDATE node_script_versions SET seen_at = GREATEST(seen_at, \(now)) WHERE node = \(nodeID) AND served_until IS NULL")
            let started = files.filter { !kept.contains($0) }
            guard !started.isEmpty else { return }
            try session.execute(
                """
                INSERT INTO node_script_versions (node, folder, path, version, served_from, seen_at)
                SELECT \(nodeID), folder, path, version, \(now), \(now)
                FROM unnest(\(started.map(\.folder.rawValue))::text[], \(started.map(\.path))::text[], \(started.map(\.version))::text[])
                  AS f(folder, path, version)
                """)
        }
    }

    public func stopServing(at now: Int64) throws {
        try database.write { session in
            try session.execute(
                """
                UPDATE node_script_versions SET served_until = GREATEST(served_from, \(now)), seen_at = GREATEST(seen_at, \(now))
                WHERE node = \(nodeID) AND served_until IS NULL
                """)
        }
    }

    public func servedFiles(from: Int64, until: Int64) throws -> [ServedScriptFile] {
        try database.unsafeRead { session in
            try session.rows(
                """
                SELECT node, folder, path, version, served_from, served_until, seen_at FROM node_script_versions
                WHERE served_from < \(until) AND (served_until IS NULL OR served_until > \(from))
                ORDER BY node, folder, path, served_from
                """, as: (String, String, String, String, Int64, Int64?, Int64).self
            ).compactMap { node, folder, path, version, servedFrom, servedUntil, seenAt in
                guard let folder = ScriptFileVersion.Folder(rawValue: folder) else { return nil }
                return ServedScriptFile(
                    node: node, file: ScriptFileVersion(folder: folder, path: path, version: version), servedFromEpochSeconds: servedFrom,
                    servedUntilEpochSeconds: servedUntil, seenAtEpochSeconds: seenAt)
            }
        }
    }
}
