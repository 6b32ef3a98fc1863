import Core
import Feed
import PostgresNIO
import StorageModel

/// Tailing the events table on PostgreSQL (`EventFollowing`), for nodes that keep in memory what
/// other nodes change: each read is one statement that also returns its snapshot's transaction
/// bounds and the database clock (see ``EventBatch``).
///
/// Event ids come from an identity sequence: a transaction takes its id when it inserts the
/// row and commits later, so ids are not commit order across connections (a smaller id can
/// appear after a larger one). The follower (Service's `FeedFollower`) keeps the ids it skipped
/// as pending and passes them back here until they appear or are known never to.
public struct PostgresEventFollower: EventFollowing {
    let database: QuanziPostgresDatabase
    public let nodeID: String

    public init(database: QuanziPostgresDatabase, nodeID: String) {
        self.database = database
        self.nodeID = nodeID
    }

    public func candidateRowsAndStart(circles: [CircleID], now: Int64, limits: CandidateWindowLimits, lookback: Int) throws
        -> (rows: [CircleID: [CandidateRow]], start: EventFollowStart)
    {
        // REPEATABLE READ: every statement below sees the snapshot the first one took.
        try database.read { session in
            let top = try session.row(
                """
                SELECT coalesce(max(id), 0), pg_snapshot_xmax(pg_current_snapshot())::text::bigint FROM events
                """, as: (Int64, Int64).self)
            let (high, xmax) = top ?? (0, 0)
            let pending = try session.values(
                """
                SELECT g FROM generate_series(greatest(1, \(high) - \(Int64(lookback)) + 1), \(high)) AS g
                WHERE NOT EXISTS (SELECT 1 FROM events WHERE id = g) ORDER BY g
                """, as: Int64.self)
            var rows: [CircleID: [CandidateRow]] = [:]
            for circle in circles {
                rows[circle] = try PostgresFeedQueries.candidateRows(circle: circle, now: now, limits: limits, session)
            }
            return (rows, EventFollowStart(highID: high, pendingIDs: pending, snapshotXmax: xmax))
        }
    }

    public func followerRunning(_ running: Bool) { database.followerRunning(running) }

    public func pageViewStart(lookback: Int) throws -> EventFollowStart {
        try database.read { session in
            let top = try session.row(
                "SELECT coalesce(max(id), 0), pg_snapshot_xmax(pg_current_snapshot())::text::bigint FROM page_views",
                as: (Int64, Int64).self)
            let (high, xmax) = top ?? (0, 0)
            let pending = try session.values(
                """
                SELECT g FROM generate_series(greatest(1, \(high) - \(Int64(lookback)) + 1), \(high)) AS g
                WHERE NOT EXISTS (SELECT 1 FROM page_views WHERE id = g) ORDER BY g
                """, as: Int64.self)
            return EventFollowStart(highID: high, pendingIDs: pending, snapshotXmax: xmax)
        }
    }

    public func pageViews(after afterID: Int64, pendingIDs: [Int64], limit: Int) throws -> PageViewBatch {
        // One statement, so the rows and the snapshot bounds belong together (as `events`). This
        // node's own pages come without their posts: the follower needs only their ids (its
        // position), and decoding every page it served a second time cost it forty numbers a page.
        let rows = try database.unsafeRead { session in
            try session.rows(
                """
                SELECT s.xmin, s.xmax, v.id, v.viewer_id, v.circle_id, v.at,
                       CASE WHEN v.origin IS DISTINCT FROM \(nodeID) THEN v.post_ids ELSE '{}' END,
                       CASE WHEN v.origin IS DISTINCT FROM \(nodeID) THEN v.author_ids ELSE '{}' END, v.origin
                FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin,
                             pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax) s
                LEFT JOIN LATERAL (
                  (SELECT * FROM page_views WHERE id > \(afterID) ORDER BY id LIMIT \(limit))
                  UNION ALL
                  (SELECT * FROM page_views WHERE id = ANY(\(pendingIDs)) AND id <= \(afterID))
                ) v ON TRUE
                ORDER BY v.id
                """, as: (Int64, Int64, Int64?, Int64?, String?, Int64?, [Int64]?, [Int64]?, String?).self)
        }
        guard let first = rows.first else { throw PostgresStorageCorrupt(reason: "the page views read returned no snapshot row") }
        var views: [FollowedPageView] = []
        views.reserveCapacity(rows.count)
        for (_, _, id, viewer, circle, at, postIDs, authorIDs, origin) in rows {
            guard let id, let viewer, let circle, let at, let postIDs, let authorIDs, postIDs.count == authorIDs.count else { continue }
            let page = ViewedPage(viewerID: UserID(viewer), circleID: CircleID(circle), atEpochSeconds: at, postIDs: postIDs, authorIDs: authorIDs)
            views.append(FollowedPageView(id: id, page: page, origin: origin))
        }
        return PageViewBatch(views: views, snapshotXmin: first.0, snapshotXmax: first.1)
    }

    public func events(after afterID: Int64, pendingIDs: [Int64], limit: Int) throws -> EventBatch {
        typealias Row = (
            Int64, Int64, Double, Int64?, String?, Int64?, Int64?, String?, Int64?, Int64?, Int64?, String?, String?, String?, String?,
            Double?
        )
        // One statement, so the rows and the snapshot bounds belong together (READ COMMITTED
        // takes a snapshot per statement; `pg_current_snapshot()` is that snapshot). The follower
        // uses this node's own events only when they name a post (a window it may have missed):
        // the others come without their context, the largest column (a transfer's, say).
        let rows = try database.unsafeRead { session in
            try session.rows(
                """
                SELECT s.xmin, s.xmax, s.now, e.id, e.kind, e.at, e.user_id, e.circle_id, e.post_id, e.target_user_id,
                       e.amount_fen, e.experiment_id, e.variant,
                       CASE WHEN e.origin IS DISTINCT FROM \(nodeID) OR e.post_id IS NOT NULL THEN e.context END,
                       e.origin, e.recorded_at
                FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin,
                             pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax,
                             extract(epoch FROM clock_timestamp())::double precision AS now) s
                LEFT JOIN LATERAL (
                  (SELECT * FROM events WHERE id > \(afterID) ORDER BY id LIMIT \(limit))
                  UNION ALL
                  (SELECT * FROM events WHERE id = ANY(\(pendingIDs)) AND id <= \(afterID))
                ) e ON TRUE
                ORDER BY e.id
                """, as: Row.self)
        }
        guard let first = rows.first else { throw PostgresStorageCorrupt(reason: "the events read returned no snapshot row") }
        var events: [FollowedEvent] = []
        events.reserveCapacity(rows.count)
        for (_, _, _, id, kind, at, user, circle, post, target, amount, experiment, variant, context, origin, recordedAt) in rows {
            guard let id, let kind, let at else { continue }
            var event = Event(kind: .postCreated, at: at)
            event.id = id
            event.kind = kind
            event.userID = user
            event.circleID = circle
            event.postID = post
            event.targetUserID = target
            event.amountFen = amount
            event.experimentID = experiment
            event.variant = variant
            event.context = context
            events.append(FollowedEvent(id: id, event: event, origin: origin, recordedAtSeconds: recordedAt))
        }
        return EventBatch(events: events, snapshotXmin: first.0, snapshotXmax: first.1, databaseNowSeconds: first.2)
    }
}
