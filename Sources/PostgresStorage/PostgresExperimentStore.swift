import Core
import PostgresNIO
import StorageModel

/// Exposures, QA overrides and run-time status changes of experiments on PostgreSQL (Storage's
/// `ExperimentStore`). A stop made on one node is a row every node reads.
public struct PostgresExperimentStore: Sendable {
    public typealias Exposure = ExperimentExposure
    public typealias StateChange = ExperimentStateChange

    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    /// Records a first exposure and its `exposure` event; returns false when the user was
    /// already exposed (nothing written), on whichever node that happened.
    @discardableResult
    public func recordExposure(experiment: String, user: UserID, variant: String, at now: Int64) throws -> Bool {
        try database.write { session in
            let added = try session.changes(
                """
                INSERT INTO exposures (experiment_id, user_id, variant, first_exposed_at)
                VALUES (\(experiment), \(user.rawValue), \(variant), \(now)) ON CONFLICT DO NOTHING
                """)
            guard added == 1 else { return false }
            try PostgresEventLog.append(Event(kind: .exposure, at: now, userID: user, experimentID: experiment, variant: variant), in: session)
            return true
        }
    }

    public func exposures(of experiment: String) throws -> [Exposure] {
        try database.unsafeRead { session in
            try session.rows(
                "SELECT user_id, variant, first_exposed_at FROM exposures WHERE experiment_id = \(experiment) ORDER BY user_id",
                as: (Int64, String, Int64).self
            ).map { Exposure(userID: UserID($0.0), variant: $0.1, firstExposedAtEpochSeconds: $0.2) }
        }
    }

    /// Every (experiment, user) pair already exposed, to skip writes for known exposures.
    public func allExposureKeys() throws -> [(experiment: String, user: UserID)] {
        try database.unsafeRead { session in
            try session.rows("SELECT experiment_id, user_id FROM exposures", as: (String, Int64).self).map { ($0.0, UserID($0.1)) }
        }
    }

    public func force(experiment: String, user: UserID, variant: String, at now: Int64) throws {
        try database.write { session in
            try session.execute(
                """
                INSERT INTO experiment_overrides (experiment_id, user_id, variant, created_at) VALUES (\(experiment), \(user.rawValue), \(variant), \(now))
                ON CONFLICT (experiment_id, user_id) DO UPDATE SET variant = excluded.variant, created_at = excluded.created_at
                """)
        }
    }

    public func overrides() throws -> [String: [UserID: String]] {
        try database.unsafeRead { session in
            var result: [String: [UserID: String]] = [:]
            for (experiment, user, variant) in try session.rows(
                "SELECT experiment_id, user_id, variant FROM experiment_overrides", as: (String, Int64, String).self)
            {
                result[experiment, default: [:]][UserID(user)] = variant
            }
            return result
        }
    }

    /// Stops an experiment (everyone gets control from now on) and records why.
    public func stop(experiment: String, reason: String, at now: Int64) throws {
        try database.write { session in
            try session.execute(
                """
                INSERT INTO experiment_states (experiment_id, status, changed_at, reason) VALUES (\(experiment), 'stopped', \(now), \(reason))
                ON CONFLICT (experiment_id) DO UPDATE SET status = 'stopped', changed_at = excluded.changed_at, reason = excluded.reason
                """)
            try PostgresEventLog.append(Event(kind: .experimentStopped, at: now, experimentID: experiment, context: reason), in: session)
        }
    }

    public func stateChanges() throws -> [String: StateChange] {
        try database.unsafeRead { session in
            var result: [String: StateChange] = [:]
            for (experiment, status, changedAt, reason) in try session.rows(
                "SELECT experiment_id, status, changed_at, reason FROM experiment_states", as: (String, String, Int64, String).self)
            {
                result[experiment] = StateChange(experimentID: experiment, status: status, changedAtEpochSeconds: changedAt, reason: reason)
            }
            return result
        }
    }
}
