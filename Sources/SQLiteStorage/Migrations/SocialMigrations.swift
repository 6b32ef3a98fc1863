import GRDB

enum SocialMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-social") { db in
            try db.execute(sql: """
                CREATE TABLE circles (
                  id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
                  title TEXT NOT NULL
                );
                -- Friendship is symmetric: stored once per direction so either side is an index lookup.
                CREATE TABLE friendships (
                  user_id INTEGER NOT NULL REFERENCES users(id),
                  friend_id INTEGER NOT NULL REFERENCES users(id),
                  since INTEGER NOT NULL,
                  PRIMARY KEY (user_id, friend_id),
                  CHECK (user_id <> friend_id)
                ) WITHOUT ROWID;
                CREATE TABLE friend_requests (
                  id INTEGER PRIMARY KEY,
                  from_user_id INTEGER NOT NULL REFERENCES users(id),
                  to_user_id INTEGER NOT NULL REFERENCES users(id),
                  status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'cancelled')),
                  created_at INTEGER NOT NULL,
                  decided_at INTEGER,
                  CHECK (from_user_id <> to_user_id),
                  CHECK ((status = 'pending') = (decided_at IS NULL))
                );
                CREATE UNIQUE INDEX friend_requests_one_pending
                  ON friend_requests(min(from_user_id, to_user_id), max(from_user_id, to_user_id))
                  WHERE status = 'pending';
                CREATE INDEX friend_requests_to ON friend_requests(to_user_id, status);
                CREATE TABLE posts (
                  id INTEGER PRIMARY KEY,
                  circle_id TEXT NOT NULL REFERENCES circles(id),
                  author_id INTEGER NOT NULL REFERENCES users(id),
                  kind TEXT NOT NULL CHECK (kind IN ('text', 'photo', 'video', 'shop_link')),
                  body TEXT NOT NULL CHECK (length(body) > 0),
                  created_at INTEGER NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('visible', 'hidden', 'deleted')),
                  hidden_reason TEXT,
                  like_count INTEGER NOT NULL DEFAULT 0 CHECK (like_count >= 0),
                  comment_count INTEGER NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
                  report_count INTEGER NOT NULL DEFAULT 0 CHECK (report_count >= 0),
                  CHECK ((status = 'hidden') = (hidden_reason IS NOT NULL))
                );
                CREATE INDEX posts_circle_time ON posts(circle_id, created_at);
                CREATE INDEX posts_author ON posts(author_id);
                CREATE TABLE comments (
                  id INTEGER PRIMARY KEY,
                  post_id INTEGER NOT NULL REFERENCES posts(id),
                  author_id INTEGER NOT NULL REFERENCES users(id),
                  body TEXT NOT NULL CHECK (length(body) > 0),
                  created_at INTEGER NOT NULL
                );
                CREATE INDEX comments_post ON comments(post_id, id);
                CREATE TABLE likes (
                  post_id INTEGER NOT NULL REFERENCES posts(id),
                  user_id INTEGER NOT NULL REFERENCES users(id),
                  created_at INTEGER NOT NULL,
                  PRIMARY KEY (post_id, user_id)
                ) WITHOUT ROWID;
                CREATE TABLE reports (
                  id INTEGER PRIMARY KEY,
                  post_id INTEGER NOT NULL REFERENCES posts(id),
                  reporter_id INTEGER NOT NULL REFERENCES users(id),
                  reason TEXT NOT NULL,
                  created_at INTEGER NOT NULL,
                  UNIQUE (post_id, reporter_id)
                );
                -- Posts held by keyword filtering or hidden by reports, waiting for a person.
                CREATE TABLE moderation_queue (
                  id INTEGER PRIMARY KEY,
                  post_id INTEGER NOT NULL REFERENCES posts(id),
                  reason TEXT NOT NULL CHECK (reason IN ('keywords', 'reports')),
                  detail TEXT NOT NULL,
                  created_at INTEGER NOT NULL,
                  outcome TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'restored', 'removed')),
                  decided_at INTEGER,
                  CHECK ((outcome = 'pending') = (decided_at IS NULL))
                );
                CREATE INDEX moderation_queue_pending ON moderation_queue(outcome, created_at);
                -- Decayed interaction score per (viewer, author); see Social.Affinity.
                CREATE TABLE affinities (
                  viewer_id INTEGER NOT NULL REFERENCES users(id),
                  author_id INTEGER NOT NULL REFERENCES users(id),
                  score REAL NOT NULL CHECK (score >= 0),
                  updated_at INTEGER NOT NULL,
                  PRIMARY KEY (viewer_id, author_id),
                  CHECK (viewer_id <> author_id)
                ) WITHOUT ROWID;
                """)
        }
    }

    /// The review queue's decisions (issue 25): who decided, with what reason, and the author's
    /// one appeal, which puts the item back in the queue (`queued_at`) for another moderator.
    static func registerModerationReview(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v9-moderation-review") { db in
            // Rebuilt rather than altered: SQLite cannot change a CHECK in place, and a hold may
            // now come from a circle's rule (`reason = 'rule'`).
            try db.execute(sql: """
                CREATE TABLE moderation_queue_v9 (
                  id INTEGER PRIMARY KEY,
                  post_id INTEGER NOT NULL REFERENCES posts(id),
                  -- A held comment's item names its post too (where the comment is).
                  comment_id INTEGER REFERENCES comments(id),
                  reason TEXT NOT NULL CHECK (reason IN ('keywords', 'reports', 'rule')),
                  detail TEXT NOT NULL,
                  created_at INTEGER NOT NULL,
                  outcome TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'restored', 'removed')),
                  decided_at INTEGER,
                  decided_by INTEGER REFERENCES users(id),
                  decision_text TEXT,
                  queued_at INTEGER NOT NULL,
                  appealed_at INTEGER,
                  appeal_text TEXT,
                  first_decided_by INTEGER REFERENCES users(id),
                  first_decision_text TEXT,
                  CHECK ((outcome = 'pending') = (decided_at IS NULL))
                );
                INSERT INTO moderation_queue_v9 (id, post_id, reason, detail, created_at, outcome, decided_at, queued_at)
                  SELECT id, post_id, reason, detail, created_at, outcome, decided_at, coalesce(decided_at, created_at) FROM moderation_queue;
                DROP TABLE moderation_queue;
                ALTER TABLE moderation_queue_v9 RENAME TO moderation_queue;
                CREATE INDEX moderation_queue_order ON moderation_queue(outcome, queued_at, id);
                CREATE INDEX moderation_queue_post ON moderation_queue(post_id, id);
                ALTER TABLE comments ADD COLUMN status TEXT NOT NULL DEFAULT 'visible' CHECK (status IN ('visible', 'hidden'));
                """)
            // A decision needs its moderator from now on, and an appeal keeps the first one.
            try db.execute(sql: """
                CREATE TRIGGER moderation_queue_decided_by BEFORE UPDATE OF outcome ON moderation_queue
                WHEN NEW.outcome <> 'pending' AND NEW.decided_by IS NULL
                BEGIN SELECT RAISE(ABORT, 'a moderation decision names its moderator'); END;
                CREATE TRIGGER moderation_queue_one_appeal BEFORE UPDATE OF appealed_at ON moderation_queue
                WHEN OLD.appealed_at IS NOT NULL AND NEW.appealed_at IS NOT OLD.appealed_at
                BEGIN SELECT RAISE(ABORT, 'a removal is appealed once'); END;
                """)
        }
    }

    /// Every look at the verified identity behind a queue item, for the admins' audit. Append-only.
    static func registerIdentityLooks(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v11-identity-looks") { db in
            try db.execute(sql: """
                CREATE TABLE identity_looks (
                  id INTEGER PRIMARY KEY,
                  moderator_id INTEGER NOT NULL REFERENCES users(id),
                  item_id INTEGER NOT NULL REFERENCES moderation_queue(id),
                  author_id INTEGER NOT NULL REFERENCES users(id),
                  at INTEGER NOT NULL
                );
                CREATE TRIGGER identity_looks_append_only_update BEFORE UPDATE ON identity_looks
                BEGIN SELECT RAISE(ABORT, 'identity_looks is append-only'); END;
                CREATE TRIGGER identity_looks_append_only_delete BEFORE DELETE ON identity_looks
                BEGIN SELECT RAISE(ABORT, 'identity_looks is append-only'); END;
                """)
        }
    }

    /// Blocks, mutes and "show less" marks (issue 25; `Blocking` says what blocks and mutes
    /// stop). A block's two users are both indexed: each one's feed hides the other.
    static func registerBlocks(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v10-blocks-mutes-show-less") { db in
            try db.execute(sql: """
                CREATE TABLE blocks (
                  blocker_id INTEGER NOT NULL REFERENCES users(id),
                  blocked_id INTEGER NOT NULL REFERENCES users(id),
                  created_at INTEGER NOT NULL,
                  PRIMARY KEY (blocker_id, blocked_id),
                  CHECK (blocker_id <> blocked_id)
                ) WITHOUT ROWID;
                CREATE INDEX blocks_blocked ON blocks(blocked_id, blocker_id);
                CREATE TABLE mutes (
                  muter_id INTEGER NOT NULL REFERENCES users(id),
                  muted_id INTEGER NOT NULL REFERENCES users(id),
                  created_at INTEGER NOT NULL,
                  PRIMARY KEY (muter_id, muted_id),
                  CHECK (muter_id <> muted_id)
                ) WITHOUT ROWID;
                -- A viewer's "show less" on a post lowers its author in the viewer's feeds.
                CREATE TABLE show_less_marks (
                  user_id INTEGER NOT NULL REFERENCES users(id),
                  post_id INTEGER NOT NULL REFERENCES posts(id),
                  author_id INTEGER NOT NULL REFERENCES users(id),
                  created_at INTEGER NOT NULL,
                  PRIMARY KEY (user_id, post_id)
                ) WITHOUT ROWID;
                """)
        }
    }
}
