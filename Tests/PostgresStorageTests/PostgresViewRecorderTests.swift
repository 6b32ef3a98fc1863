import Core
@_spi(LedgerStore) import PostgresStorage
@_spi(LedgerStore) import StorageModel
import Testing

/// Feed views on PostgreSQL: one `page_views` row per page, in either durability, read back by
/// the seen query; write-behind commits asynchronously for its own transaction only.
@Suite("feed views on PostgreSQL", PostgresTestDatabase.available)
struct PostgresViewRecorderTests {
    static let circle = CircleID("campus-diary")
    static let now = Backend.startEpochSeconds

    @Test("both durabilities record pages that the seen query and the next transaction see")
    func bothDurabilities() async throws {
        try await PostgresTestDatabase.withBackend { backend in
            try await Backend.offPool {
                for (viewer, durability) in [(Int64(2), ViewDurability.beforeReturn), (3, .writeBehind)] {
                    let recorder = backend.makeViewRecorder(durability: durability)
                    let views = (1...3).map {
                        RecordedView(postID: Int64($0) * viewer, circleID: Self.circle, viewerID: UserID(viewer), authorID: UserID(1))
                    }
                    try recorder.record(views, at: Self.now)
                    try recorder.record([views[0]], at: Self.now + 1)
                    try recorder.flush()
                    let seen = try recorder.seenPostIDs(UserID(viewer), circle: Self.circle, since: 0, before: Self.now + 2)
                    #expect(seen == Set(views.map(\.postID)))
                    #expect(recorder.currentStatistics.views == 4)
                }
            }
        }
    }
}
