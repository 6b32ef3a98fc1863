import GRDB

enum ExperimentMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-experiments") { db in
            try db.execute(sql: """
                -- First exposure of a user to an experiment; analysis reads only exposed users.
                CREATE TABLE exposures (
                  experiment_id TEXT NOT NULL,
                  user_id INTEGER NOT NULL REFERENCES users(id),
                  variant TEXT NOT NULL,
                  first_exposed_at INTEGER NOT NULL,
                  PRIMARY KEY (experiment_id, user_id)
                ) WITHOUT ROWID;
                -- QA overrides: these users see the forced variant and are left out of analysis.
                CREATE TABLE experiment_overrides (
                  experiment_id TEXT NOT NULL,
                  user_id INTEGER NOT NULL REFERENCES users(id),
                  variant TEXT NOT NULL,
                  created_at INTEGER NOT NULL,
                  PRIMARY KEY (experiment_id, user_id)
                ) WITHOUT ROWID;
                -- Status changes made at run time (a guardrail stop), overriding the file's status.
                CREATE TABLE experiment_states (
                  experiment_id TEXT PRIMARY KEY,
                  status TEXT NOT NULL CHECK (status IN ('draft', 'running', 'stopped')),
                  changed_at INTEGER NOT NULL,
                  reason TEXT NOT NULL
                );
                """)
        }
    }
}
