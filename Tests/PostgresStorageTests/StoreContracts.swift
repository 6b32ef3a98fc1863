import Core
import Credit
import Experiments
import Feed
import Ledger
import PostgresStorage
import Social
import Storage

// The storage protocols (StorageModel's `StorageBackend` and its repositories) are the API both
// backends share; the contract tests run one body against either through them. The bulk
// writers (seeding on SQLite, loading on PostgreSQL) are not part of the service's storage, so
// their shared API is pinned here: a conformance that stops compiling is an API that no longer
// mirrors the other backend's.

protocol BulkWriting {
    func insertUser(_ user: UserProfile, isAdmin: Bool) throws
    func befriend(_ first: UserID, _ second: UserID, at now: Int64) throws
    func createPost(circle: CircleID, author: UserID, kind: PostKind, body: String, verdict: ModerationVerdict, at now: Int64) throws -> Post
    func like(_ postID: Int64, by user: UserID, at now: Int64) throws -> Bool
    func comment(on postID: Int64, by user: UserID, body: String, at now: Int64) throws
    func report(_ postID: Int64, by user: UserID, reason: String, hideAtReports: Int, at now: Int64) throws -> Bool
    func recordReport(on author: UserID, by reporter: UserID?, at now: Int64) throws
    func bumpAffinity(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at now: Int64) throws
    func recordView(_ postID: Int64, circle: CircleID, by user: UserID, author: UserID, at now: Int64) throws
}

extension BulkWriter: BulkWriting {}
extension PostgresBulkWriter: BulkWriting {}
