/// `v1-identity` (SQLiteStorage's `IdentityMigrations`); flags are BOOLEAN instead of 0/1 integers.
enum PostgresIdentityMigrations {
    static let identityV1: [String] = [
        """
        CREATE TABLE users (
          id BIGINT PRIMARY KEY CHECK (id > 0),
          display_name TEXT NOT NULL,
          verified BOOLEAN NOT NULL,
          verified_at BIGINT,
          gender TEXT NOT NULL CHECK (gender IN ('female', 'male', 'unspecified')),
          birth_year INTEGER CHECK (birth_year BETWEEN 1900 AND 2100),
          occupation TEXT NOT NULL CHECK (occupation IN ('student', 'office_worker', 'other')),
          school TEXT,
          employer TEXT,
          city TEXT,
          created_at BIGINT NOT NULL,
          is_admin BOOLEAN NOT NULL DEFAULT FALSE,
          CHECK (NOT verified OR verified_at IS NOT NULL)
        )
        """,
        "CREATE INDEX users_city ON users(city)",
    ]
}
