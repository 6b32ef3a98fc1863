/// `v1-experiments` (SQLiteStorage's `ExperimentMigrations`).
enum PostgresExperimentMigrations {
    static let experimentsV1: [String] = [
        """
        -- First exposure of a user to an experiment; analysis reads only exposed users.
        CREATE TABLE exposures (
          experiment_id TEXT NOT NULL,
          user_id BIGINT NOT NULL REFERENCES users(id),
          variant TEXT NOT NULL,
          first_exposed_at BIGINT NOT NULL,
          PRIMARY KEY (experiment_id, user_id)
        )
        """,
        """
        -- QA overrides: these users see the forced variant and are left out of analysis.
        CREATE TABLE experiment_overrides (
          experiment_id TEXT NOT NULL,
          user_id BIGINT NOT NULL REFERENCES users(id),
          variant TEXT NOT NULL,
          created_at BIGINT NOT NULL,
          PRIMARY KEY (experiment_id, user_id)
        )
        """,
        """
        -- Status changes made at run time (a guardrail stop), overriding the file's status.
        CREATE TABLE experiment_states (
          experiment_id TEXT PRIMARY KEY,
          status TEXT NOT NULL CHECK (status IN ('draft', 'running', 'stopped')),
          changed_at BIGINT NOT NULL,
          reason TEXT NOT NULL
        )
        """,
    ]

    /// `v6-experiment-lifecycle` (SQLiteStorage's `ExperimentMigrations.registerLifecycle`): the
    /// run-time state as an append-only list of changes keyed by (experiment, revision).
    static let lifecycle: [String] = [
        """
        CREATE TABLE experiment_changes (
          experiment_id TEXT NOT NULL,
          revision BIGINT NOT NULL CHECK (revision >= 1),
          kind TEXT NOT NULL CHECK (kind IN ('started', 'advanced', 'stopped', 'shipped')),
          status TEXT NOT NULL CHECK (status IN ('draft', 'running', 'stopped', 'shipped')),
          step BIGINT NOT NULL CHECK (step >= 0),
          traffic DOUBLE PRECISION NOT NULL CHECK (traffic >= 0 AND traffic <= 1),
          variant TEXT CHECK ((kind = 'shipped') = (variant IS NOT NULL)),
          at BIGINT NOT NULL,
          actor TEXT NOT NULL,
          reason TEXT NOT NULL,
          evidence TEXT NOT NULL DEFAULT '[]',
          PRIMARY KEY (experiment_id, revision)
        )
        """,
        """
        INSERT INTO experiment_changes (experiment_id, revision, kind, status, step, traffic, at, actor, reason)
          SELECT experiment_id, 1, 'stopped', 'stopped', 0, 0, changed_at, 'unknown', reason FROM experiment_states WHERE status = 'stopped'
        """,
        "DROP TABLE experiment_states",
    ] + PostgresMigrations.appendOnly("experiment_changes", "experiment changes are append-only: record a new revision")

    /// `v13-forced-users-actor` (SQLite's migration of the same name): who forced a user and why.
    static let forcedActor: [String] = [
        "ALTER TABLE experiment_overrides ADD COLUMN actor TEXT",
        "ALTER TABLE experiment_overrides ADD COLUMN reason TEXT",
    ]

    /// `v12-experiment-holds` (SQLite's migration of the same name): a person may hold a ramp at
    /// its step and release it, recorded as changes of kind `held` and `released`.
    static let holds: [String] = [
        "ALTER TABLE experiment_changes DROP CONSTRAINT experiment_changes_kind_check",
        """
        ALTER TABLE experiment_changes ADD CONSTRAINT experiment_changes_kind_check
          CHECK (kind IN ('started', 'advanced', 'stopped', 'shipped', 'held', 'released'))
        """,
    ]

    /// `v7-exposure-versions` (SQLiteStorage's `ExperimentMigrations.registerExposureVersions`):
    /// the phase, the versions of the experiment's file and of the circle plugin that exposed the
    /// user, and the node that recorded it; one exposure per (experiment, phase, user). Earlier
    /// rows become phase 1 with no versions; the default goes once they have it, so a write that
    /// forgets the phase is refused.
    static let exposureVersions: [String] = [
        """
        ALTER TABLE exposures
          ADD COLUMN phase BIGINT NOT NULL DEFAULT 1 CHECK (phase >= 1),
          ADD COLUMN experiment_version TEXT CHECK (experiment_version ~ '^[0-9a-f]{16}$'),
          ADD COLUMN plugin_version TEXT CHECK (plugin_version ~ '^[0-9a-f]{16}$'),
          ADD COLUMN node TEXT CHECK (node <> '')
        """,
        "ALTER TABLE exposures ALTER COLUMN phase DROP DEFAULT",
        "ALTER TABLE exposures DROP CONSTRAINT exposures_pkey",
        "ALTER TABLE exposures ADD PRIMARY KEY (experiment_id, phase, user_id)",
    ]

    /// `v7-node-script-versions` (PostgreSQL only: SQLite has one node): which version of each
    /// plugin and experiment file each node served, from when until when, and when it was last
    /// seen serving it (a node that dies leaves its rows open; analysis ends them soon after).
    /// At most one open row per node and file.
    static let nodeScriptVersions: [String] = [
        """
        CREATE TABLE node_script_versions (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          node TEXT NOT NULL CHECK (node <> ''),
          folder TEXT NOT NULL CHECK (folder IN ('plugins', 'experiments')),
          path TEXT NOT NULL CHECK (path <> ''),
          version TEXT NOT NULL CHECK (version ~ '^[0-9a-f]{16}$'),
          served_from BIGINT NOT NULL,
          served_until BIGINT CHECK (served_until >= served_from),
          seen_at BIGINT NOT NULL CHECK (seen_at >= served_from)
        )
        """,
        "CREATE UNIQUE INDEX node_script_versions_open ON node_script_versions (node, folder, path) WHERE served_until IS NULL",
        "CREATE INDEX node_script_versions_from ON node_script_versions (served_from)",
    ]
}

/// `v1-credit` (SQLiteStorage's `CreditMigrations`): scores recomputed in batches, with the report a
/// user can read.
enum PostgresCreditMigrations {
    static let creditV1: [String] = [
        """
        CREATE TABLE credit_scores (
          user_id BIGINT PRIMARY KEY REFERENCES users(id),
          score INTEGER NOT NULL CHECK (score BETWEEN 350 AND 950),
          report TEXT NOT NULL,
          computed_at BIGINT NOT NULL
        )
        """
    ]
}

/// `v1-api-tokens` (SQLiteStorage's `AuthMigrations`): only a SHA-256 digest of each token is stored.
enum PostgresAuthMigrations {
    static let apiTokensV1: [String] = [
        """
        CREATE TABLE api_tokens (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          user_id BIGINT NOT NULL REFERENCES users(id),
          token_sha256 BYTEA NOT NULL UNIQUE CHECK (octet_length(token_sha256) = 32),
          is_admin BOOLEAN NOT NULL,
          created_at BIGINT NOT NULL,
          revoked_at BIGINT,
          CHECK (revoked_at IS NULL OR revoked_at >= created_at)
        )
        """,
        "CREATE INDEX api_tokens_user ON api_tokens(user_id)",
    ]

    /// `v5-api-tokens-expiry`: tokens may expire; `NULL` is a token that never does.
    static let apiTokensExpiry: [String] = [
        "ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT CHECK (expires_at IS NULL OR expires_at > created_at)"
    ]

    /// `v9-api-tokens-moderator`: moderator tokens may use the review queue.
    static let apiTokensModerator: [String] = [
        "ALTER TABLE api_tokens ADD COLUMN is_moderator BOOLEAN NOT NULL DEFAULT FALSE"
    ]
}
