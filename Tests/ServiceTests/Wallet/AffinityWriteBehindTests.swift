import Core
@testable import Service
import Social
import StorageModel
import Synchronization
import Testing

/// Money's affinity written behind the commit (PostgreSQL's placement): every bump lands, in
/// order, by the time `flush` returns; a failed write is counted, not retried forever.
@Suite("affinity written behind the money")
struct AffinityWriteBehindTests {
    final class RecordingAffinities: AffinityRepository, Sendable {
        let written = Mutex<[[AffinityBump]]>([])
        let failing: Bool
        init(failing: Bool = false) { self.failing = failing }
        struct Refused: Error {}

        func affinity(from viewer: UserID, to author: UserID, at now: Int64) throws -> Double { 0 }
        func bump(viewer: UserID, author: UserID, _ interaction: Affinity.Interaction, at now: Int64) throws {
            try bump([AffinityBump(viewer: viewer, author: author, interaction, at: now)])
        }
        func bump(_ bumps: [AffinityBump]) throws {
            if failing { throw Refused() }
            written.withLock { $0.append(bumps) }
        }
    }

    static func bumps(_ range: ClosedRange<Int64>) -> [AffinityBump] {
        range.map { AffinityBump(viewer: UserID($0), author: UserID($0 + 1), .transfer, at: 1_000 + $0) }
    }

    @Test("every enqueued bump is written, in order and with its own time, once flush returns")
    func flushWritesAll() async {
        let affinities = RecordingAffinities()
        let writer = AffinityWriteBehind(affinities: affinities)
        for start in stride(from: Int64(1), through: 91, by: 10) { await writer.enqueue(Self.bumps(start...(start + 9))) }
        await writer.flush()
        let writes = affinities.written.withLock { $0 }
        #expect(writes.flatMap { $0 } == Self.bumps(1...100))
        #expect(writes.count <= 10, "bumps that arrive while a write is in flight share the next one")
        #expect(await writer.droppedBumps == 0)
        await writer.flush()  // nothing pending: returns at once
    }

    @Test("a failed write drops its bumps and counts them")
    func failuresCounted() async {
        let writer = AffinityWriteBehind(affinities: RecordingAffinities(failing: true))
        await writer.enqueue(Self.bumps(1...5))
        await writer.flush()
        #expect(await writer.droppedBumps == 5)
    }
}
