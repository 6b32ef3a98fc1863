/// How far a ``FeedFollower`` has read one table whose ids come from a sequence (events,
/// `page_views`): the highest id read, and the ids below it not seen yet (pending), each with
/// the `xmax` of the first snapshot that skipped it. Ids are not commit order (see
/// ``FeedFollower``), so a skipped id stays pending until it appears, is known dead (a later
/// snapshot's `xmin` passed its `xmax`, and the grace passed), or is given up at the timeout
/// or the cap.
struct FollowPosition {
    struct Pending {
        /// The `xmax` of the first snapshot that skipped the id.
        var xmax: Int64
        var since: ContinuousClock.Instant
    }

    var high: Int64
    var pending: [Int64: Pending]

    init(high: Int64, pendingIDs: [Int64], snapshotXmax: Int64, now: ContinuousClock.Instant) {
        self.high = high
        pending = [:]
        for id in pendingIDs { pending[id] = Pending(xmax: snapshotXmax, since: now) }
    }

    /// Takes one read's ids (in id order) and its snapshot: returns the ids above the old high
    /// (to know whether the read was cut at its limit) and the pending ids given up.
    mutating func advance(
        read ids: [Int64], snapshotXmin: Int64, snapshotXmax: Int64, now: ContinuousClock.Instant,
        configuration: FeedFollower.Configuration
    ) -> (newRows: Int, expired: Int) {
        var expected = high + 1
        var newRows = 0
        var skipped = 0
        let returned = Set(ids)
        for id in ids {
            if id > high {
                newRows += 1
                if id > expected {
                    // Skipped ids: pending until they appear or are known dead (a jump longer
                    // than the cap keeps its newest ids; the rest count as given up).
                    let from = max(expected, id - Int64(configuration.pendingMax))
                    skipped += Int(from - expected)
                    for skippedID in from..<id { pending[skippedID] = Pending(xmax: snapshotXmax, since: now) }
                }
                expected = max(expected, id + 1)
            } else {
                pending[id] = nil
            }
        }
        high = max(high, expected - 1)
        // Pending ids the read did not return: dead once every transaction that could hold them
        // has ended (and the grace passed), or given up at the timeout.
        var expired = skipped
        for (id, entry) in pending where !returned.contains(id) {
            let age = Self.seconds(now - entry.since)
            if snapshotXmin >= entry.xmax && age >= configuration.gapGraceSeconds {
                pending[id] = nil
            } else if age >= configuration.gapTimeoutSeconds {
                pending[id] = nil
                expired += 1
            }
        }
        if pending.count > configuration.pendingMax {
            for id in pending.keys.sorted().prefix(pending.count - configuration.pendingMax) {
                pending[id] = nil
                expired += 1
            }
        }
        return (newRows, expired)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
