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

    /// Registered after every other table's migrations, so that existing databases apply it last.
    static func registerViewerIndex(_ migrator: inout DatabaseMigrator) {
        // The feed asks "which posts of this circle did this viewer see in the window?" on every
        // request. Without statistics SQLite answered it through (kind, at), reading every view in
        // the window; this index answers it from the index alone.
        migrator.registerMigration("v2-events-viewer-seen-index") { db in
            try db.execute(sql: """
                CREATE INDEX events_viewer_seen ON events(user_id, kind, circle_id, at, post_id);
                DROP INDEX events_user_kind;
                """)
        }
        // No query reads events by (kind, at) any more: analysis makes one sequential pass and
        // the rest go through the viewer index. Every event insert (a feed page writes twenty)
        // paid for maintaining it.
        migrator.registerMigration("v3-events-drop-kind-at-index") { db in
            try db.execute(sql: "DROP INDEX events_kind_at")
        }
        // Views a page to a row (`ViewedPage`): twenty indexed event rows per feed page were the
        // server's largest cost at full load. Earlier view events move here one row each (the
        // events stay, append-only, and readers of events skip that kind); the viewer index on
        // events only ever served views, and every other event paid to maintain it.
        migrator.registerMigration("v4-page-views") { db in
            try db.execute(sql: """
                CREATE TABLE page_views (
                  id INTEGER PRIMARY KEY,
                  viewer_id INTEGER NOT NULL,
                  circle_id TEXT NOT NULL,
                  at INTEGER NOT NULL,
                  post_ids TEXT NOT NULL,
                  author_ids TEXT NOT NULL,
                  CHECK (json_array_length(post_ids) = json_array_length(author_ids))
                );
                CREATE INDEX page_views_viewer_seen ON page_views(viewer_id, circle_id, at);
                CREATE TRIGGER page_views_no_update BEFORE UPDATE ON page_views
                  BEGIN SELECT RAISE(ABORT, 'page views are append-only'); END;
                CREATE TRIGGER page_views_no_delete BEFORE DELETE ON page_views
                  BEGIN SELECT RAISE(ABORT, 'page views are append-only'); END;
                INSERT INTO page_views (viewer_id, circle_id, at, post_ids, author_ids)
                  SELECT user_id, circle_id, at, '[' || post_id || ']', '[' || target_user_id || ']' FROM events
                  WHERE kind = 'post.viewed' AND user_id IS NOT NULL AND circle_id IS NOT NULL
                    AND post_id IS NOT NULL AND target_user_id IS NOT NULL
                  ORDER BY id;
                DROP INDEX events_viewer_seen;
                """)
        }
    }
}
