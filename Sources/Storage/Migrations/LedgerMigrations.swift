import GRDB

enum LedgerMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
    }
}
