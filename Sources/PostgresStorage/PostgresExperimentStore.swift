import Core
import Experiments
import PostgresNIO
import StorageModel

/// Exposures, QA overrides and run-time status changes of experiments on PostgreSQL (Storage's
/// `ExperimentStore`). A stop made on one node is a row every node reads.
public struct PostgresExperimentStore: Sendable {
    public typealias Exposure = ExperimentExposure

    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    /// Records a user's first exposure in `exposure.phase` and its `exposure` event; returns
    /// false when the user was already exposed in that phase (nothing written), on whichever node
    /// that happened.
    @discardableResult
    public func recordExposure(_ exposure: Exposure, experiment: String) throws -> Bool {
        try database.write { session in
            let added = try session.changes(
                """
                INSERT INTO exposures (experiment_id, phase, user_id, variant, first_exposed_at, experiment_version, plugin_version, node)
                VALUES (\(experiment), \(Int64(exposure.phase)), \(exposure.userID.rawValue), \(exposure.variant),
                        \(exposure.firstExposedAtEpochSeconds), \(exposure.experimentVersion), \(exposure.pluginVersion), \(exposure.node))
                ON CONFLICT DO NOTHING
                """)
            guard added == 1 else { return false }
            try PostgresEventLog.append(
                Event(kind: .exposure, at: exposure.firstExposedAtEpochSeconds, userID: exposure.userID, experimentID: experiment,
                      variant: exposure.variant), in: session)
            return true
        }
    }

    /// The exposures of `phase` (every phase when nil), by user, then phase.
    public func exposures(of experiment: String, phase: Int?) throws -> [Exposure] {
        try database.unsafeRead { session in try Self.exposures(of: experiment, phase: phase, in: session) }
    }

    static func exposures(of experiment: String, phase: Int?, in session: PostgresSession) throws -> [Exposure] {
        let columns = "SELECT user_id, variant, first_exposed_at, phase, experiment_version, plugin_version, node FROM exposures"
        let query: PostgresQuery = phase.map { phase in
            "\(unescaped: columns) WHERE experiment_id = \(experiment) AND phase = \(Int64(phase)) ORDER BY user_id, phase"
        } ?? "\(unescaped: columns) WHERE experiment_id = \(experiment) ORDER BY user_id, phase"
        return try session.rows(query, as: (Int64, String, Int64, Int64, String?, String?, String?).self).map {
            Exposure(userID: UserID($0.0), variant: $0.1, firstExposedAtEpochSeconds: $0.2, phase: Int($0.3), experimentVersion: $0.4,
                     pluginVersion: $0.5, node: $0.6)
        }
    }

    /// Every (experiment, phase, user) already exposed, to skip writes for known exposures.
    public func allExposureKeys() throws -> [ExposureKey] {
        try database.unsafeRead { session in
            try session.rows("SELECT experiment_id, phase, user_id FROM exposures", as: (String, Int64, Int64).self).map {
                ExposureKey(experiment: $0.0, phase: Int($0.1), user: UserID($0.2))
            }
        }
    }

    public func force(experiment: String, user: UserID, variant: String, at now: Int64, actor: String, reason: String?) throws {
        try database.write { session in
            try session.execute(
                """
                INSERT INTO experiment_overrides (experiment_id, user_id, variant, created_at, actor, reason)
                VALUES (\(experiment), \(user.rawValue), \(variant), \(now), \(actor), \(reason))
                ON CONFLICT (experiment_id, user_id) DO UPDATE SET variant = excluded.variant, created_at = excluded.created_at,
                  actor = excluded.actor, reason = excluded.reason
                """)
        }
    }

    public func forcedUsers(of experiment: String) throws -> [ForcedUser] {
        try database.unsafeRead { session in
            try session.rows(
                "SELECT user_id, variant, created_at, actor, reason FROM experiment_overrides WHERE experiment_id = \(experiment) ORDER BY created_at, user_id",
                as: (Int64, String, Int64, String?, String?).self
            ).map { ForcedUser(userID: UserID($0.0), variant: $0.1, atEpochSeconds: $0.2, actor: $0.3, reason: $0.4) }
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

    /// Exposed users per variant in `phase`.
    public func exposureCounts(of experiment: String, phase: Int) throws -> [String: Int] {
        try database.unsafeRead { session in
            var counts: [String: Int] = [:]
            for (variant, count) in try session.rows(
                "SELECT variant, count(*) FROM exposures WHERE experiment_id = \(experiment) AND phase = \(Int64(phase)) GROUP BY variant",
                as: (String, Int64).self)
            {
                counts[variant] = Int(count)
            }
            return counts
        }
    }

    /// Records `change` as its experiment's next revision with its event; false when that
    /// revision exists already (`ExperimentRepository.record`). Two nodes that looked at the same
    /// state both try revision r + 1: the primary key lets exactly one insert through (the other's
    /// `ON CONFLICT DO NOTHING` changes nothing), with no lock held while either analysed.
    public func record(_ change: ExperimentChange) throws -> Bool {
        try database.write { session in
            let latest = try session.value(
                "SELECT coalesce(max(revision), 0)::BIGINT FROM experiment_changes WHERE experiment_id = \(change.experimentID)", as: Int64.self) ?? 0
            guard change.revision == latest + 1 else { return false }
            let added = try session.changes(
                """
                INSERT INTO experiment_changes (experiment_id, revision, kind, status, step, traffic, variant, at, actor, reason, evidence)
                VALUES (\(change.experimentID), \(change.revision), \(change.kind.rawValue), \(change.status.rawValue), \(Int64(change.step)),
                        \(change.traffic), \(change.variant), \(change.atEpochSeconds), \(change.actor), \(change.reason), \(change.evidenceJSON))
                ON CONFLICT DO NOTHING
                """)
            guard added == 1 else { return false }
            try PostgresEventLog.append(change.event, in: session)
            return true
        }
    }

    public func allChanges() throws -> [String: [ExperimentChange]] {
        try database.unsafeRead { session in
            var result: [String: [ExperimentChange]] = [:]
            for (experiment, revision, kind, status, step, traffic, variant, at, actor, reason, evidence) in try session.rows(
                """
                SELECT experiment_id, revision, kind, status, step, traffic, variant, at, actor, reason, evidence
                FROM experiment_changes ORDER BY experiment_id, revision
                """, as: (String, Int64, String, String, Int64, Double, String?, Int64, String, String, String).self)
            {
                guard let kind = ExperimentChange.Kind(rawValue: kind), let status = ExperimentStatus(rawValue: status) else { continue }
                result[experiment, default: []].append(ExperimentChange(
                    experimentID: experiment, revision: revision, kind: kind, status: status, step: Int(step), traffic: traffic, variant: variant,
                    atEpochSeconds: at, actor: actor, reason: reason, evidence: ExperimentChange.evidence(fromJSON: evidence)))
            }
            return result
        }
    }
}
