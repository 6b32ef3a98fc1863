import Service
import SQLiteStorage

extension QuanziService {
    /// The embedded database under the service: every fixture here runs on SQLite.
    var database: QuanziDatabase? { (storage as? SQLiteBackend)?.database }
}
