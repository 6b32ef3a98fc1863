import GRDB

/// API bearer tokens. Only a SHA-256 digest of each token is stored: a copy of the database (a
/// backup, a support dump) does not let anyone act as a user. The digest needs no salt because a
/// token is 256 random bits, not a password: there is no dictionary to precompute.
enum AuthMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-api-tokens") { db in
            try db.execute(sql: """
                CREATE TABLE api_tokens (
                  id INTEGER PRIMARY KEY,
                  user_id INTEGER NOT NULL REFERENCES users(id),
                  token_sha256 BLOB NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
                  is_admin INTEGER NOT NULL CHECK (is_admin IN (0, 1)),
                  created_at INTEGER NOT NULL,
                  revoked_at INTEGER,
                  CHECK (revoked_at IS NULL OR revoked_at >= created_at)
                );
                CREATE INDEX api_tokens_user ON api_tokens(user_id);
                """)
        }
    }

    /// Tokens may expire (`quanzi token USER --ttl-days N`); `NULL` is a token that never does.
    /// Revocation needed no migration: `revoked_at` was in `v1-api-tokens` from the start.
    static func registerExpiry(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5-api-tokens-expiry") { db in
            try db.execute(sql: """
                ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER CHECK (expires_at IS NULL OR expires_at > created_at);
                """)
        }
    }

    /// Moderator tokens (`quanzi token USER --moderator`): they may use the review queue.
    static func registerModerator(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v9-api-tokens-moderator") { db in
            try db.execute(sql: """
                ALTER TABLE api_tokens ADD COLUMN is_moderator INTEGER NOT NULL DEFAULT 0 CHECK (is_moderator IN (0, 1));
                """)
        }
    }
}
