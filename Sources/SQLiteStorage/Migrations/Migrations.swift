import GRDB

/// Named, append-only migrations. Never edit a shipped migration: add a new one. The schema
/// states its invariants (NOT NULL, CHECK, UNIQUE, FOREIGN KEY) so that the database refuses bad
/// data even if the code has a bug.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        IdentityMigrations.register(&migrator)
        EventMigrations.register(&migrator)
        SocialMigrations.register(&migrator)
        LedgerMigrations.register(&migrator)
        ExperimentMigrations.register(&migrator)
        CreditMigrations.register(&migrator)
        AuthMigrations.register(&migrator)
        EventMigrations.registerViewerIndex(&migrator)
        AuthMigrations.registerExpiry(&migrator)
        ExperimentMigrations.registerLifecycle(&migrator)
        ExperimentMigrations.registerExposureVersions(&migrator)
        SocialMigrations.registerModerationReview(&migrator)
        AuthMigrations.registerModerator(&migrator)
        SocialMigrations.registerBlocks(&migrator)
        SocialMigrations.registerIdentityLooks(&migrator)
        ExperimentMigrations.registerHolds(&migrator)
        ExperimentMigrations.registerForcedActor(&migrator)
        return migrator
    }
}
