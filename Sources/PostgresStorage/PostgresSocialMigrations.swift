/// `v1-social` (SQLiteStorage's `SocialMigrations`). `min`/`max` of two columns are LEAST/GREATEST.
enum PostgresSocialMigrations {
    static let socialV1: [String] = [
        """
        CREATE TABLE circles (
          id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
          title TEXT NOT NULL
        )
        """,
        """
        -- Friendship is symmetric: stored once per direction so either side is an index lookup.
        CREATE TABLE friendships (
          user_id BIGINT NOT NULL REFERENCES users(id),
          friend_id BIGINT NOT NULL REFERENCES users(id),
          since BIGINT NOT NULL,
          PRIMARY KEY (user_id, friend_id),
          CHECK (user_id <> friend_id)
        )
        """,
        """
        CREATE TABLE friend_requests (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          from_user_id BIGINT NOT NULL REFERENCES users(id),
          to_user_id BIGINT NOT NULL REFERENCES users(id),
          status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'cancelled')),
          created_at BIGINT NOT NULL,
          decided_at BIGINT,
          CHECK (from_user_id <> to_user_id),
          CHECK ((status = 'pending') = (decided_at IS NULL))
        )
        """,
        """
        CREATE UNIQUE INDEX friend_requests_one_pending
          ON friend_requests(LEAST(from_user_id, to_user_id), GREATEST(from_user_id, to_user_id))
          WHERE status = 'pending'
        """,
        "CREATE INDEX friend_requests_to ON friend_requests(to_user_id, status)",
        """
        CREATE TABLE posts (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          circle_id TEXT NOT NULL REFERENCES circles(id),
          author_id BIGINT NOT NULL REFERENCES users(id),
          kind TEXT NOT NULL CHECK (kind IN ('text', 'photo', 'video', 'shop_link')),
          body TEXT NOT NULL CHECK (length(body) > 0),
          created_at BIGINT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('visible', 'hidden', 'deleted')),
          hidden_reason TEXT,
          like_count BIGINT NOT NULL DEFAULT 0 CHECK (like_count >= 0),
          comment_count BIGINT NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
          report_count BIGINT NOT NULL DEFAULT 0 CHECK (report_count >= 0),
          CHECK ((status = 'hidden') = (hidden_reason IS NOT NULL))
        )
        """,
        "CREATE INDEX posts_circle_time ON posts(circle_id, created_at)",
        "CREATE INDEX posts_author ON posts(author_id)",
        """
        CREATE TABLE comments (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          post_id BIGINT NOT NULL REFERENCES posts(id),
          author_id BIGINT NOT NULL REFERENCES users(id),
          body TEXT NOT NULL CHECK (length(body) > 0),
          created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX comments_post ON comments(post_id, id)",
        """
        CREATE TABLE likes (
          post_id BIGINT NOT NULL REFERENCES posts(id),
          user_id BIGINT NOT NULL REFERENCES users(id),
          created_at BIGINT NOT NULL,
          PRIMARY KEY (post_id, user_id)
        )
        """,
        """
        CREATE TABLE reports (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          post_id BIGINT NOT NULL REFERENCES posts(id),
          reporter_id BIGINT NOT NULL REFERENCES users(id),
          reason TEXT NOT NULL,
          created_at BIGINT NOT NULL,
          UNIQUE (post_id, reporter_id)
        )
        """,
        """
        -- Posts held by keyword filtering or hidden by reports, waiting for a person.
        CREATE TABLE moderation_queue (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          post_id BIGINT NOT NULL REFERENCES posts(id),
          reason TEXT NOT NULL CHECK (reason IN ('keywords', 'reports')),
          detail TEXT NOT NULL,
          created_at BIGINT NOT NULL,
          outcome TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'restored', 'removed')),
          decided_at BIGINT,
          CHECK ((outcome = 'pending') = (decided_at IS NULL))
        )
        """,
        "CREATE INDEX moderation_queue_pending ON moderation_queue(outcome, created_at)",
        """
        -- Decayed interaction score per (viewer, author); see Social.Affinity.
        CREATE TABLE affinities (
          viewer_id BIGINT NOT NULL REFERENCES users(id),
          author_id BIGINT NOT NULL REFERENCES users(id),
          score DOUBLE PRECISION NOT NULL CHECK (score >= 0),
          updated_at BIGINT NOT NULL,
          PRIMARY KEY (viewer_id, author_id),
          CHECK (viewer_id <> author_id)
        )
        """,
    ]

    /// `v9-moderation-review`: who decided, with what reason, and the author's one appeal, which
    /// puts the item back in the queue (`queued_at`) for another moderator (SQLite's migration of
    /// the same name).
    static let moderationReview: [String] = [
        """
        ALTER TABLE moderation_queue
          ADD COLUMN decided_by BIGINT REFERENCES users(id),
          ADD COLUMN decision_text TEXT,
          ADD COLUMN queued_at BIGINT,
          ADD COLUMN appealed_at BIGINT,
          ADD COLUMN appeal_text TEXT,
          ADD COLUMN first_decided_by BIGINT REFERENCES users(id),
          ADD COLUMN first_decision_text TEXT
        """,
        "UPDATE moderation_queue SET queued_at = coalesce(decided_at, created_at)",
        "ALTER TABLE moderation_queue ALTER COLUMN queued_at SET NOT NULL",
        "ALTER TABLE moderation_queue ADD COLUMN comment_id BIGINT REFERENCES comments(id)",
        "ALTER TABLE comments ADD COLUMN status TEXT NOT NULL DEFAULT 'visible' CHECK (status IN ('visible', 'hidden'))",
        // A hold may now come from a circle's rule.
        "ALTER TABLE moderation_queue DROP CONSTRAINT moderation_queue_reason_check",
        "ALTER TABLE moderation_queue ADD CONSTRAINT moderation_queue_reason_check CHECK (reason IN ('keywords', 'reports', 'rule'))",
        "CREATE INDEX moderation_queue_order ON moderation_queue(outcome, queued_at, id)",
        "CREATE INDEX moderation_queue_post ON moderation_queue(post_id, id)",
        "DROP INDEX moderation_queue_pending",
        """
        CREATE FUNCTION quanzi_moderation_queue_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.outcome <> 'pending' AND NEW.decided_by IS NULL THEN
            RAISE EXCEPTION 'a moderation decision names its moderator';
          END IF;
          IF OLD.appealed_at IS NOT NULL AND NEW.appealed_at IS DISTINCT FROM OLD.appealed_at THEN
            RAISE EXCEPTION 'a removal is appealed once';
          END IF;
          RETURN NEW;
        END $$
        """,
        """
        CREATE TRIGGER moderation_queue_guard BEFORE UPDATE ON moderation_queue
        FOR EACH ROW EXECUTE FUNCTION quanzi_moderation_queue_guard()
        """,
    ]

    /// `v11-identity-looks`: SQLite's migration of the same name.
    static let identityLooks: [String] = [
        """
        CREATE TABLE identity_looks (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          moderator_id BIGINT NOT NULL REFERENCES users(id),
          item_id BIGINT NOT NULL REFERENCES moderation_queue(id),
          author_id BIGINT NOT NULL REFERENCES users(id),
          at BIGINT NOT NULL
        )
        """,
    ] + PostgresMigrations.appendOnly("identity_looks", "the identity audit is append-only")

    /// `v10-blocks-mutes-show-less`: SQLite's migration of the same name.
    static let blocks: [String] = [
        """
        CREATE TABLE blocks (
          blocker_id BIGINT NOT NULL REFERENCES users(id),
          blocked_id BIGINT NOT NULL REFERENCES users(id),
          created_at BIGINT NOT NULL,
          PRIMARY KEY (blocker_id, blocked_id),
          CHECK (blocker_id <> blocked_id)
        )
        """,
        "CREATE INDEX blocks_blocked ON blocks(blocked_id, blocker_id)",
        """
        CREATE TABLE mutes (
          muter_id BIGINT NOT NULL REFERENCES users(id),
          muted_id BIGINT NOT NULL REFERENCES users(id),
          created_at BIGINT NOT NULL,
          PRIMARY KEY (muter_id, muted_id),
          CHECK (muter_id <> muted_id)
        )
        """,
        """
        CREATE TABLE show_less_marks (
          user_id BIGINT NOT NULL REFERENCES users(id),
          post_id BIGINT NOT NULL REFERENCES posts(id),
          author_id BIGINT NOT NULL REFERENCES users(id),
          created_at BIGINT NOT NULL,
          PRIMARY KEY (user_id, post_id)
        )
        """,
    ]
}
