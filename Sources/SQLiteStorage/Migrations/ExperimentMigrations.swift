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

    /// `v6-experiment-lifecycle`: the run-time state becomes an append-only list of changes with
    /// who and why (`experiment_changes`); the state is its latest revision, and the key
    /// (experiment, revision) is the compare-and-set two nodes race on. Earlier stops are kept as
    /// revision 1.
    static func registerLifecycle(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-experiment-lifecycle") { db in
            try db.execute(sql: """
                CREATE TABLE experiment_changes (
                  experiment_id TEXT NOT NULL,
                  revision INTEGER NOT NULL CHECK (revision >= 1),
                  kind TEXT NOT NULL CHECK (kind IN ('started', 'advanced', 'stopped', 'shipped')),
                  status TEXT NOT NULL CHECK (status IN ('draft', 'running', 'stopped', 'shipped')),
                  step INTEGER NOT NULL CHECK (step >= 0),
                  traffic REAL NOT NULL CHECK (traffic >= 0 AND traffic <= 1),
                  variant TEXT CHECK ((kind = 'shipped') = (variant IS NOT NULL)),
                  at INTEGER NOT NULL,
                  actor TEXT NOT NULL,
                  reason TEXT NOT NULL,
                  evidence TEXT NOT NULL DEFAULT '[]',
                  PRIMARY KEY (experiment_id, revision)
                ) WITHOUT ROWID;
                INSERT INTO experiment_changes (experiment_id, revision, kind, status, step, traffic, at, actor, reason)
                  SELECT experiment_id, 1, 'stopped', 'stopped', 0, 0, changed_at, 'unknown', reason FROM experiment_states WHERE status = 'stopped';
                DROP TABLE experiment_states;
                CREATE TRIGGER experiment_changes_no_update BEFORE UPDATE ON experiment_changes
                  BEGIN SELECT RAISE(ABORT, 'experiment_changes is append-only: record a new revision'); END;
                CREATE TRIGGER experiment_changes_no_delete BEFORE DELETE ON experiment_changes
                  BEGIN SELECT RAISE(ABORT, 'experiment_changes is append-only: record a new revision'); END;
                """)
        }
    }

    /// `v13-forced-users-actor`: a forcing records who did it and why (nil for earlier ones).
    static func registerForcedActor(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v13-forced-users-actor") { db in
            try db.execute(sql: """
                ALTER TABLE experiment_overrides ADD COLUMN actor TEXT;
                ALTER TABLE experiment_overrides ADD COLUMN reason TEXT;
                """)
        }
    }

    /// `v12-experiment-holds`: a person may hold a ramp at its step and release it, recorded as
    /// changes of kind `held` and `released`. SQLite cannot change a CHECK in place: the table is
    /// rebuilt with its rows and its append-only triggers.
    static func registerHolds(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v12-experiment-holds") { db in
            try db.execute(sql: """
                CREATE TABLE experiment_changes_new (
                  experiment_id TEXT NOT NULL,
                  revision INTEGER NOT NULL CHECK (revision >= 1),
                  kind TEXT NOT NULL CHECK (kind IN ('started', 'advanced', 'stopped', 'shipped', 'held', 'released')),
                  status TEXT NOT NULL CHECK (status IN ('draft', 'running', 'stopped', 'shipped')),
                  step INTEGER NOT NULL CHECK (step >= 0),
                  traffic REAL NOT NULL CHECK (traffic >= 0 AND traffic <= 1),
                  variant TEXT CHECK ((kind = 'shipped') = (variant IS NOT NULL)),
                  at INTEGER NOT NULL,
                  actor TEXT NOT NULL,
                  reason TEXT NOT NULL,
                  evidence TEXT NOT NULL DEFAULT '[]',
                  PRIMARY KEY (experiment_id, revision)
                ) WITHOUT ROWID;
                INSERT INTO experiment_changes_new SELECT experiment_id, revision, kind, status, step, traffic, variant, at, actor, reason, evidence
                  FROM experiment_changes;
                DROP TRIGGER experiment_changes_no_update;
                DROP TRIGGER experiment_changes_no_delete;
                DROP TABLE experiment_changes;
                ALTER TABLE experiment_changes_new RENAME TO experiment_changes;
                CREATE TRIGGER experiment_changes_no_update BEFORE UPDATE ON experiment_changes
                  BEGIN SELECT RAISE(ABORT, 'experiment_changes is append-only: record a new revision'); END;
                CREATE TRIGGER experiment_changes_no_delete BEFORE DELETE ON experiment_changes
                  BEGIN SELECT RAISE(ABORT, 'experiment_changes is append-only: record a new revision'); END;
                """)
        }
    }

    /// `v7-exposure-versions`: an exposure records the experiment's phase, the versions of the
    /// experiment's file and of the circle plugin that exposed the user, and the node (PostgreSQL;
    /// null here). A user is exposed once per (experiment, phase, user): a new phase exposes them
    /// again. SQLite cannot change a primary key in place: the table is rebuilt, its rows kept as
    /// phase 1 with no versions.
    static func registerExposureVersions(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7-exposure-versions") { db in
            try db.execute(sql: """
                CREATE TABLE exposures_v7 (
                  experiment_id TEXT NOT NULL,
                  phase INTEGER NOT NULL CHECK (phase >= 1),
                  user_id INTEGER NOT NULL REFERENCES users(id),
                  variant TEXT NOT NULL,
                  first_exposed_at INTEGER NOT NULL,
                  experiment_version TEXT CHECK (length(experiment_version) = 16 AND experiment_version NOT GLOB '*[^0-9a-f]*'),
                  plugin_version TEXT CHECK (length(plugin_version) = 16 AND plugin_version NOT GLOB '*[^0-9a-f]*'),
                  node TEXT CHECK (node <> ''),
                  PRIMARY KEY (experiment_id, phase, user_id)
                ) WITHOUT ROWID;
                INSERT INTO exposures_v7 (experiment_id, phase, user_id, variant, first_exposed_at)
                  SELECT experiment_id, 1, user_id, variant, first_exposed_at FROM exposures;
                DROP TABLE exposures;
                ALTER TABLE exposures_v7 RENAME TO exposures;
                """)
        }
    }
}
