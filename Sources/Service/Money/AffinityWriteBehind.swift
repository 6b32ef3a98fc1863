import BlockingWork
import Core
import StorageModel

/// Writes the affinity money adds after the money has committed, coalescing: while one write is
/// in flight, the bumps of every batch that commits meanwhile gather, and go in the next write
/// (one transaction), as group commit gathers transfers. Used where writing them in the money
/// batch's transaction would cost the batch (``MoneyAffinityWrites/behind``: PostgreSQL).
///
/// Affinity is derived data: a crash may lose the bumps not yet written, and a failed write is
/// counted and dropped, which only leaves affinity slightly stale. ``flush()`` waits until every
/// bump enqueued before it is written (shutdown, seeding, tests).
actor AffinityWriteBehind {
    /// Most bumps waiting; past it the oldest are dropped (and counted), so a database that stops
    /// answering cannot grow memory without bound.
    static let pendingMax = 100_000

    private let affinities: any AffinityRepository
    private var pending: [AffinityBump] = []
    private var writing = false
    private var idle: [CheckedContinuation<Void, Never>] = []
    /// Bumps lost to a failed write or to the bound, for `/metrics` and tests.
    private(set) var droppedBumps = 0

    init(affinities: any AffinityRepository) { self.affinities = affinities }

    func enqueue(_ bumps: [AffinityBump]) {
        guard !bumps.isEmpty else { return }
        pending += bumps
        if pending.count > Self.pendingMax {
            let excess = pending.count - Self.pendingMax
            pending.removeFirst(excess)
            droppedBumps += excess
        }
        if !writing {
            writing = true
            Task { await drain() }
        }
    }

    /// Returns once nothing enqueued before the call is left to write.
    func flush() async {
        guard writing else { return }
        await withCheckedContinuation { idle.append($0) }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            let affinities = affinities
            do {
                try await Blocking.anyThread { try affinities.bump(batch) }
            } catch {
                droppedBumps += batch.count
            }
        }
        writing = false
        let waiting = idle
        idle = []
        for continuation in waiting { continuation.resume() }
    }
}
