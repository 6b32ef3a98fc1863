/// `v1-events` and `v2-events-viewer-seen-index` (SQLiteStorage's `EventMigrations`): every action,
/// append-only (TRUNCATE refused too); metrics and experiment analysis are computed from here.
///
/// Ids come from an identity column, so with several nodes an id is not commit order: a reader
/// tailing the table by id must allow for gaps that fill later.
enum PostgresEventMigrations {
    static let eventsV1: [String] =
        [
            PostgresMigrations.refuseChangeFunction,
            """
            CREATE TABLE events (
              id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              kind TEXT NOT NULL,
              at BIGINT NOT NULL,
              user_id BIGINT,
              circle_id TEXT,
              post_id BIGINT,
              target_user_id BIGINT,
              amount_fen BIGINT,
              experiment_id TEXT,
              variant TEXT,
              context TEXT
            )
            """,
            "CREATE INDEX events_experiment ON events(experiment_id, kind) WHERE experiment_id IS NOT NULL",
        ] + PostgresMigrations.appendOnly("events", "events are append-only")

    /// The feed's "which posts of this circle did this viewer see in the window?", answered from
    /// the index alone (SQLite's `v2`; its `v3` dropped indexes PostgreSQL never had).
    static let viewerSeenIndex: [String] = [
        "CREATE INDEX events_viewer_seen ON events(user_id, kind, circle_id, at, post_id)"
    ]

    /// Views a page to a row (SQLiteStorage's `v4-page-views`, where the reasons are): earlier view
    /// events move here one row each, and the viewer index on events, which only served views,
    /// goes. The id lists are arrays here, JSON text on SQLite.
    static let pageViews: [String] =
        [
            """
            CREATE TABLE page_views (
              id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              viewer_id BIGINT NOT NULL,
              circle_id TEXT NOT NULL,
              at BIGINT NOT NULL,
              post_ids BIGINT[] NOT NULL,
              author_ids BIGINT[] NOT NULL,
              CHECK (cardinality(post_ids) = cardinality(author_ids))
            )
            """,
            "CREATE INDEX page_views_viewer_seen ON page_views(viewer_id, circle_id, at)",
        ] + PostgresMigrations.appendOnly("page_views", "page views are append-only") + [
            """
            INSERT INTO page_views (viewer_id, circle_id, at, post_ids, author_ids)
            SELECT user_id, circle_id, at, ARRAY[post_id], ARRAY[target_user_id] FROM events
            WHERE kind = 'post.viewed' AND user_id IS NOT NULL AND circle_id IS NOT NULL
              AND post_id IS NOT NULL AND target_user_id IS NOT NULL
            ORDER BY id
            """,
            "DROP INDEX events_viewer_seen",
        ]

    /// PostgreSQL only (SQLite has one writer and nothing to follow): which node inserted each
    /// event, and when by the database's clock, for nodes following each other's writes
    /// (`EventFollowing`). Both are column defaults, so no INSERT names them: `origin` is the
    /// inserting connection's `quanzi.node` setting (`PostgresURL.nodeSetting`, NULL without
    /// one), `recorded_at` the insert's wall time in seconds. Added without a default first, so
    /// existing rows stay NULL and the table is not rewritten.
    static let origin: [String] = [
        "ALTER TABLE events ADD COLUMN origin TEXT, ADD COLUMN recorded_at DOUBLE PRECISION",
        """
        ALTER TABLE events ALTER COLUMN origin SET DEFAULT current_setting('quanzi.node', true),
          ALTER COLUMN recorded_at SET DEFAULT extract(epoch FROM clock_timestamp())::double precision
        """,
    ]

    /// PostgreSQL only: which node recorded each page, so that nodes following each other's
    /// views (`EventFollowing.pageViews`) skip their own (as `origin` on events).
    static let pageViewsOrigin: [String] = [
        "ALTER TABLE page_views ADD COLUMN origin TEXT",
        "ALTER TABLE page_views ALTER COLUMN origin SET DEFAULT current_setting('quanzi.node', true)",
    ]
}
