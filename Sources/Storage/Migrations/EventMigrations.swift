import GRDB

enum EventMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        // Every action, append-only: metrics and experiment analysis are computed from here.
        migrator.registerMigration("v1-events") { db in
            try db.execute(sql: """
                CREATE TABLE events (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  kind TEXT NOT NULL,
                  at INTEGER NOT NULL,
                  user_id INTEGER,
                  circle_id TEXT,
                  post_id INTEGER,
                  target_user_id INTEGER,
                  amount_fen INTEGER,
                  experiment_id TEXT,
                  variant TEXT,
                  context TEXT
                );
                CREATE INDEX events_kind_at ON events(kind, at);
                CREATE INDEX events_user_kind ON events(user_id, kind);
                CREATE INDEX events_experiment ON events(experiment_id, kind) WHERE experiment_id IS NOT NULL;
                CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
                CREATE TRIGGER events_no_delete BEFORE DELETE ON events
                  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
                """)
        }
    }
}
