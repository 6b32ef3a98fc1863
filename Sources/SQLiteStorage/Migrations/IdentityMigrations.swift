import GRDB

enum IdentityMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-identity") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                  id INTEGER PRIMARY KEY CHECK (id > 0),
                  display_name TEXT NOT NULL,
                  verified INTEGER NOT NULL CHECK (verified IN (0, 1)),
                  verified_at INTEGER,
                  gender TEXT NOT NULL CHECK (gender IN ('female', 'male', 'unspecified')),
                  birth_year INTEGER CHECK (birth_year BETWEEN 1900 AND 2100),
                  occupation TEXT NOT NULL CHECK (occupation IN ('student', 'office_worker', 'other')),
                  school TEXT,
                  employer TEXT,
                  city TEXT,
                  created_at INTEGER NOT NULL,
                  is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
                  CHECK (verified = 0 OR verified_at IS NOT NULL)
                );
                CREATE INDEX users_city ON users(city);
                """)
        }
    }
}
