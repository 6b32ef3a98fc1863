import Core
import Experiments
import GRDB
import StorageModel

/// Exposures, QA overrides and the run-time changes (ramp steps, stops, ships) of experiments.
public struct ExperimentStore: Sendable {
    public typealias Exposure = ExperimentExposure

    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    /// Records a user's first exposure in `exposure.phase` and its `exposure` event; returns
    /// false when the user was already exposed in that phase (nothing written).
    @discardableResult
    public func recordExposure(_ exposure: Exposure, experiment: String) throws -> Bool {
        try database.writeCheckingFirst { db in
            try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO exposures
                      (experiment_id, phase, user_id, variant, first_exposed_at, experiment_version, plugin_version, node)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [experiment, exposure.phase, exposure.userID.rawValue, exposure.variant, exposure.firstExposedAtEpochSeconds,
                            exposure.experimentVersion, exposure.pluginVersion, exposure.node])
            guard db.changesCount == 1 else { return false }
            let event = Event(kind: .exposure, at: exposure.firstExposedAtEpochSeconds, userID: exposure.userID, experimentID: experiment,
                              variant: exposure.variant)
            try EventLog.append(event, in: db)
            return true
        }
    }

    /// The exposures of `phase` (every phase when nil), by user, then phase.
    public func exposures(of experiment: String, phase: Int?) throws -> [Exposure] {
        try database.read { db in try Self.exposures(of: experiment, phase: phase, in: db) }
    }

    static func exposures(of experiment: String, phase: Int?, in db: Database) throws -> [Exposure] {
        let filter = phase == nil ? "" : " AND phase = ?"
        var arguments: StatementArguments = [experiment]
        if let phase { arguments += [phase] }
        return try Row.fetchAll(
            db, sql: """
                SELECT user_id, variant, first_exposed_at, phase, experiment_version, plugin_version, node FROM exposures
                WHERE experiment_id = ?\(filter) ORDER BY user_id, phase
                """, arguments: arguments
        ).map { row in
            Exposure(userID: UserID(row["user_id"] as Int64), variant: row["variant"], firstExposedAtEpochSeconds: row["first_exposed_at"],
                     phase: row["phase"], experimentVersion: row["experiment_version"], pluginVersion: row["plugin_version"], node: row["node"])
        }
    }

    /// Every (experiment, phase, user) already exposed, to skip writes for known exposures.
    public func allExposureKeys() throws -> [ExposureKey] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT experiment_id, phase, user_id FROM exposures").map {
                ExposureKey(experiment: $0["experiment_id"], phase: $0["phase"], user: UserID($0["user_id"] as Int64))
            }
        }
    }

    public func force(experiment: String, user: UserID, variant: String, at now: Int64, actor: String, reason: String?) throws {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO experiment_overrides (experiment_id, user_id, variant, created_at, actor, reason) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(experiment_id, user_id) DO UPDATE SET variant = excluded.variant, created_at = excluded.created_at,
                  actor = excluded.actor, reason = excluded.reason
                """, arguments: [experiment, user.rawValue, variant, now, actor, reason])
        }
    }

    public func forcedUsers(of experiment: String) throws -> [ForcedUser] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT user_id, variant, created_at, actor, reason FROM experiment_overrides WHERE experiment_id = ? ORDER BY created_at, user_id
                """, arguments: [experiment]).map {
                ForcedUser(userID: UserID($0["user_id"] as Int64), variant: $0["variant"], atEpochSeconds: $0["created_at"], actor: $0["actor"],
                           reason: $0["reason"])
            }
        }
    }

    public func overrides() throws -> [String: [UserID: String]] {
        try database.read { db in
            var result: [String: [UserID: String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT experiment_id, user_id, variant FROM experiment_overrides") {
                result[row["experiment_id"], default: [:]][UserID(row["user_id"] as Int64)] = row["variant"]
            }
            return result
        }
    }

    /// Exposed users per variant in `phase`.
    public func exposureCounts(of experiment: String, phase: Int) throws -> [String: Int] {
        try database.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT variant, count(*) AS n FROM exposures WHERE experiment_id = ? AND phase = ? GROUP BY variant",
                arguments: [experiment, phase])
            {
                counts[row["variant"]] = row["n"]
            }
            return counts
        }
    }

    /// Records `change` as its experiment's next revision with its event; false when that
    /// revision exists already (`ExperimentRepository.record`). SQLite has one writer, but the
    /// same rule holds: the (experiment, revision) key decides, not the caller's earlier read.
    public func record(_ change: ExperimentChange) throws -> Bool {
        try database.write { db in
            let latest = try Int64.fetchOne(db, sql: "SELECT max(revision) FROM experiment_changes WHERE experiment_id = ?",
                                            arguments: [change.experimentID]) ?? 0
            guard change.revision == latest + 1 else { return false }
            try db.execute(sql: """
                INSERT OR IGNORE INTO experiment_changes
                  (experiment_id, revision, kind, status, step, traffic, variant, at, actor, reason, evidence)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [change.experimentID, change.revision, change.kind.rawValue, change.status.rawValue, change.step, change.traffic,
                                 change.variant, change.atEpochSeconds, change.actor, change.reason, change.evidenceJSON])
            guard db.changesCount == 1 else { return false }
            try EventLog.append(change.event, in: db)
            return true
        }
    }

    public func allChanges() throws -> [String: [ExperimentChange]] {
        try database.read { db in
            var result: [String: [ExperimentChange]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM experiment_changes ORDER BY experiment_id, revision") {
                guard let kind = ExperimentChange.Kind(rawValue: row["kind"]), let status = ExperimentStatus(rawValue: row["status"]) else { continue }
                let change = ExperimentChange(
                    experimentID: row["experiment_id"], revision: row["revision"], kind: kind, status: status, step: row["step"],
                    traffic: row["traffic"], variant: row["variant"], atEpochSeconds: row["at"], actor: row["actor"], reason: row["reason"],
                    evidence: ExperimentChange.evidence(fromJSON: row["evidence"]))
                result[change.experimentID, default: []].append(change)
            }
            return result
        }
    }
}
