import Logging
import PostgresNIO

/// Every table of the SQLite schema (SQLiteStorage's `Migrations`) in PostgreSQL's dialect, with the
/// same names, CHECKs, UNIQUE and FOREIGN KEYs and append-only rules, so either database refuses
/// the same bad data. The SQLite names are kept where the content matches; the order differs
/// only because the ledger came first on PostgreSQL. `v3-events-drop-kind-at-index` has no
/// counterpart: the index it drops was never created here. `v3-events-origin` and
/// `v7-node-script-versions` exist only here: what nodes following each other's writes read, and
/// which script versions each node served (SQLite has one writer, one node).
public enum PostgresMigrations {
    /// Named migrations in order; applied ones are recorded in `quanzi_migrations` and never rerun.
    /// Never edit one that has run anywhere: add a new one.
    static let migrations: [(name: String, statements: [String])] = [
        ("v1-ledger", PostgresLedgerMigrations.ledgerV1),
        ("v1-identity", PostgresIdentityMigrations.identityV1),
        ("v1-events", PostgresEventMigrations.eventsV1),
        ("v1-social", PostgresSocialMigrations.socialV1),
        ("v1-red-packets", PostgresRedPacketMigrations.redPacketsV1),
        ("v1-experiments", PostgresExperimentMigrations.experimentsV1),
        ("v1-credit", PostgresCreditMigrations.creditV1),
        ("v1-api-tokens", PostgresAuthMigrations.apiTokensV1),
        ("v2-events-viewer-seen-index", PostgresEventMigrations.viewerSeenIndex),
        ("v2-ledger-users", PostgresLedgerMigrations.ledgerUsers),
        ("v3-events-origin", PostgresEventMigrations.origin),
        ("v4-page-views", PostgresEventMigrations.pageViews),
        ("v5-api-tokens-expiry", PostgresAuthMigrations.apiTokensExpiry),
        ("v6-experiment-lifecycle", PostgresExperimentMigrations.lifecycle),
        ("v7-exposure-versions", PostgresExperimentMigrations.exposureVersions),
        ("v7-node-script-versions", PostgresExperimentMigrations.nodeScriptVersions),
        ("v8-page-views-origin", PostgresEventMigrations.pageViewsOrigin),
        ("v9-moderation-review", PostgresSocialMigrations.moderationReview),
        ("v9-api-tokens-moderator", PostgresAuthMigrations.apiTokensModerator),
        ("v10-blocks-mutes-show-less", PostgresSocialMigrations.blocks),
        ("v11-identity-looks", PostgresSocialMigrations.identityLooks),
        ("v12-experiment-holds", PostgresExperimentMigrations.holds),
        ("v13-forced-users-actor", PostgresExperimentMigrations.forcedActor),
    ]

    /// The names of every migration, in order.
    public static var names: [String] { migrations.map(\.name) }

    /// Any fixed number: the advisory lock that makes nodes starting together migrate one at a time.
    static let advisoryLockKey: Int64 = 0x5155_414E_5A49  // "QUANZI"

    /// Applies the migrations not yet applied, each in its own transaction (PostgreSQL's DDL is
    /// transactional: a failed migration leaves nothing behind). Returns the names applied now.
    @discardableResult
    public static func migrate(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        var applied: [String] = []
        for migration in migrations {
            let ran = try await client.withTransaction(logger: logger) { connection -> Bool in
                try await connection.query("SELECT pg_advisory_xact_lock(\(advisoryLockKey))", logger: logger)
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS quanzi_migrations (
                      name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """, logger: logger)
                let done = try await connection.query(
                    "SELECT 1 FROM quanzi_migrations WHERE name = \(migration.name)", logger: logger)
                for try await _ in done { return false }
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO quanzi_migrations (name) VALUES (\(migration.name))", logger: logger)
                return true
            }
            if ran { applied.append(migration.name) }
        }
        return applied
    }

    /// The migrations `client`'s database lacks, in order (all of them on an empty database).
    public static func pending(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        let exists = try await client.query("SELECT to_regclass('quanzi_migrations') IS NOT NULL", logger: logger)
        var tableExists = false
        for try await value in exists.decode(Bool.self) { tableExists = value }
        guard tableExists else { return names }
        var applied: Set<String> = []
        for try await name in try await client.query("SELECT name FROM quanzi_migrations", logger: logger).decode(String.self) {
            applied.insert(name)
        }
        return names.filter { !applied.contains($0) }
    }

    /// A trigger function refusing the change it fires on; shared by every append-only table.
    static let refuseChangeFunction = """
        CREATE FUNCTION quanzi_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '% on % refused: %', TG_OP, TG_TABLE_NAME, TG_ARGV[0];
        END $$
        """

    /// Refuses UPDATE and DELETE of `table`'s rows and TRUNCATE of the table, naming `why`.
    static func appendOnly(_ table: String, _ why: String) -> [String] {
        [
            """
            CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(table)
              FOR EACH ROW EXECUTE FUNCTION quanzi_refuse_change('\(why)')
            """,
            """
            CREATE TRIGGER \(table)_no_truncate BEFORE TRUNCATE ON \(table)
              FOR EACH STATEMENT EXECUTE FUNCTION quanzi_refuse_change('\(why)')
            """,
        ]
    }
}
