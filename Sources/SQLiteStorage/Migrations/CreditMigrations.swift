import GRDB

enum CreditMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        // Scores are recomputed in batches (see Credit.CreditEngine); the report keeps the
        // dimensions and reasons a user can read.
        migrator.registerMigration("v1-credit") { db in
            try db.execute(sql: """
                CREATE TABLE credit_scores (
                  user_id INTEGER PRIMARY KEY REFERENCES users(id),
                  score INTEGER NOT NULL CHECK (score BETWEEN 350 AND 950),
                  report TEXT NOT NULL,
                  computed_at INTEGER NOT NULL
                );
                """)
        }
    }
}
