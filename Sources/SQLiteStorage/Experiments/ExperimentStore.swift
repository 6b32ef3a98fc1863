import Core
import GRDB

/// Exposures, QA overrides and run-time status changes of experiments.
public struct ExperimentStore: Sendable {
    public typealias Exposure = ExperimentExposure
    public typealias StateChange = ExperimentStateChange

    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    /// Records a first exposure and its `exposure` event; returns false when the user was
    /// already exposed (nothing written).
    @discardableResult
    public func recordExposure(experiment: String, user: UserID, variant: String, at now: Int64) throws -> Bool {
        try database.pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO exposures (experiment_id, user_id, variant, first_exposed_at) VALUES (?, ?, ?, ?)",
                           arguments: [experiment, user.rawValue, variant, now])
            guard db.changesCount == 1 else { return false }
            try EventLog.append(Event(kind: .exposure, at: now, userID: user, experimentID: experiment, variant: variant), in: db)
            return true
        }
    }

    public func exposures(of experiment: String) throws -> [Exposure] {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT user_id, variant, first_exposed_at FROM exposures WHERE experiment_id = ? ORDER BY user_id",
                             arguments: [experiment]).map { row in
                Exposure(userID: UserID(row["user_id"] as Int64), variant: row["variant"], firstExposedAtEpochSeconds: row["first_exposed_at"])
            }
        }
    }

    /// Every (experiment, user) pair already exposed, to skip writes for known exposures.
    public func allExposureKeys() throws -> [(experiment: String, user: UserID)] {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT experiment_id, user_id FROM exposures").map { ($0["experiment_id"], UserID($0["user_id"] as Int64)) }
        }
    }

    public func force(experiment: String, user: UserID, variant: String, at now: Int64) throws {
        try database.pool.write { db in
            try db.execute(sql: """
                INSERT INTO experiment_overrides (experiment_id, user_id, variant, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(experiment_id, user_id) DO UPDATE SET variant = excluded.variant, created_at = excluded.created_at
                """, arguments: [experiment, user.rawValue, variant, now])
        }
    }

    public func overrides() throws -> [String: [UserID: String]] {
        try database.pool.read { db in
            var result: [String: [UserID: String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT experiment_id, user_id, variant FROM experiment_overrides") {
                result[row["experiment_id"], default: [:]][UserID(row["user_id"] as Int64)] = row["variant"]
            }
            return result
        }
    }

    /// Stops an experiment (everyone gets control from now on) and records why.
    public func stop(experiment: String, reason: String, at now: Int64) throws {
        try database.pool.write { db in
            try db.execute(sql: """
                INSERT INTO experiment_states (experiment_id, status, changed_at, reason) VALUES (?, 'stopped', ?, ?)
                ON CONFLICT(experiment_id) DO UPDATE SET status = 'stopped', changed_at = excluded.changed_at, reason = excluded.reason
                """, arguments: [experiment, now, reason])
            try EventLog.append(Event(kind: .experimentStopped, at: now, experimentID: experiment, context: reason), in: db)
        }
    }

    public func stateChanges() throws -> [String: StateChange] {
        try database.pool.read { db in
            var result: [String: StateChange] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM experiment_states") {
                let change = StateChange(experimentID: row["experiment_id"], status: row["status"], changedAtEpochSeconds: row["changed_at"], reason: row["reason"])
                result[change.experimentID] = change
            }
            return result
        }
    }
}
