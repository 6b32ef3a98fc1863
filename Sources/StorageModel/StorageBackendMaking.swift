/// An open database a backend can be made on (SQLite's `QuanziDatabase`): the service's
/// `init(database:)` takes one, so code holding a database never names its backend's types.
public protocol StorageBackendMaking {
    func makeBackend() -> any StorageBackend
}
