import Core
import GRDB

extension ExperimentStore: ExposureCalibrating {
    public func reassignVariants(of experiment: String, phase: Int, _ variants: [(user: UserID, variant: String)]) throws {
        try database.write { db in
            let statement = try db.makeStatement(sql: "UPDATE exposures SET variant = ? WHERE experiment_id = ? AND phase = ? AND user_id = ?")
            for (user, variant) in variants {
                try statement.execute(arguments: [variant, experiment, phase, user.rawValue])
            }
        }
    }

    public func eventCountsSinceExposure(_ kind: String, experiment: String, phase: Int) throws -> [UserID: Int] {
        // Views are stored a page to a row (`ViewedPage`): a page counts its posts.
        let sql = kind == ViewedPage.eventKind
            ? """
                SELECT x.user_id, sum(json_array_length(p.post_ids)) FROM exposures x
                JOIN page_views p ON p.viewer_id = x.user_id AND p.at >= x.first_exposed_at
                WHERE x.experiment_id = ? AND x.phase = ? GROUP BY x.user_id
                """
            : """
                SELECT x.user_id, count(*) FROM exposures x JOIN events e ON e.user_id = x.user_id AND e.kind = ? AND e.at >= x.first_exposed_at
                WHERE x.experiment_id = ? AND x.phase = ? GROUP BY x.user_id
                """
        let arguments: StatementArguments = kind == ViewedPage.eventKind ? [experiment, phase] : [kind, experiment, phase]
        return try database.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            return Dictionary(uniqueKeysWithValues: rows.map { (UserID($0[0] as Int64), $0[1] as Int) })
        }
    }
}
