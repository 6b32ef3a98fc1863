import Core
import Experiments

/// What `MetricReader.observations` returns on both backends.
public struct MetricObservations: Sendable {
    public var variants: [VariantObservations]
    public var timeline: [ExperimentReport.TimelinePoint]
    public var forcedUsersExcluded: Int
    public var eventsRead: Int
    /// The users counted, per combination of versions they were first exposed under in the phase.
    public var versions: [ExperimentReport.VersionRow] = []
    /// The same observations over each combination's users, when the split was asked for.
    public var byVersion: [VersionedObservations] = []
    /// The caps applied, by metric id: computed once over every analysed user, and applied as
    /// they are to each split of them.
    public var caps: [String: ExperimentReport.AppliedCap] = [:]
    /// The per-user totals behind these observations, to split them by segment
    /// (`MetricTally.groupObservations`); nil on a split.
    public var perUser: MetricTally? = nil
}

/// The observations of the users first exposed under one combination of versions.
public struct VersionedObservations: Sendable {
    public var version: ExposureVersion
    public var observations: MetricObservations
}

/// The metric reader's combiner, apart from the database that feeds it: per user and per
/// `MetricSum` (the totals the metrics are made of), then per variant. A reader either streams
/// events with `at` in [`earliest`, before) in any order into `add`, and viewed pages
/// (`page_views`) in the same range into `addViewedPage` (SQLite), or has the database total each
/// user's events by the same `sums` and hands in the totals with `addTotal` (PostgreSQL). Memory
/// grows with exposed users (one slot per user and sum), never with events.
public struct MetricTally: Sendable {
    /// What an event of one kind feeds: a sum, as plain values for the per-event loop.
    struct SumFeed {
        var sum: Int
        var byTarget: Bool
        var countsEvents: Bool
        var window: MetricSum.Window
    }

    let spec: ExperimentSpec
    let metrics: [MetricDefinition]
    let plan: MetricSumPlan
    /// Dense slots: user → index into the per-sum arrays.
    var slot: [Int64: Int] = [:]
    var firstExposed: [Int64] = []
    /// Slot → user.
    var userOfSlot: [Int64] = []
    var variantOfSlot: [Int] = []
    /// Index into `versionKeys` of each slot's exposure versions.
    var versionOfSlot: [Int] = []
    var versionKeys: [ExposureVersion] = []
    var versionIndex: [ExposureVersion: Int] = [:]
    let variantIndex: [String: Int]
    /// Per sum, per slot: the user's total.
    var totals: [[Double]]
    let preperiodSeconds: Int64
    /// Which sums each event kind feeds.
    var feeds: [String: [SumFeed]] = [:]
    /// Per-event quantile metrics by the event kind they read: the metric's index and whose event it is.
    var quantileFeeds: [String: [(metric: Int, byTarget: Bool)]] = [:]
    /// Per metric index of a per-event quantile: each counted event's owner slot and value. Unlike
    /// the totals this grows with the events of that kind (one pair each): the quantile of single
    /// events needs them all.
    var eventValues: [Int: [(slot: Int32, value: Double)]] = [:]
    public private(set) var eventsRead = 0

    /// Counts only events after each user's first exposure (and, for CUPED, the
    /// `preperiodDays` before it as the covariate). `exposures` are one phase's: one per user.
    public init(spec: ExperimentSpec, metrics: [MetricDefinition], exposures: [ExperimentExposure]) {
        self.spec = spec
        self.metrics = metrics
        variantIndex = Dictionary(uniqueKeysWithValues: spec.variants.enumerated().map { ($1.name, $0) })
        preperiodSeconds = Int64(spec.preperiodDays) * 86_400
        plan = MetricSumPlan(metrics: metrics, preperiodSeconds: preperiodSeconds)
        totals = [[Double]](repeating: [], count: plan.sums.count)
        for (index, sum) in plan.sums.enumerated() {
            feeds[sum.event, default: []].append(
                SumFeed(sum: index, byTarget: sum.attribution == .target, countsEvents: sum.valueField == nil, window: sum.window))
        }
        for (index, metric) in metrics.enumerated() {
            guard case .quantile(let measure, let quantile) = metric.kind, quantile.perEvent else { continue }
            quantileFeeds[measure.event, default: []].append((index, metric.attribution == .target))
            eventValues[index] = []
        }
        addExposures(exposures)
    }

    /// The per-event quantile metrics: (index into `metrics`, the event kind, its value column,
    /// whose event it is). PostgreSQL's reader fetches their events' values with `addEventValue`.
    public var perEventQuantiles: [(metric: Int, event: String, valueField: String, attribution: MetricDefinition.Attribution)] {
        metrics.enumerated().compactMap { index, metric in
            guard case .quantile(let measure, let quantile) = metric.kind, quantile.perEvent, let field = measure.valueField else { return nil }
            return (index, measure.event, field, metric.attribution)
        }
    }

    /// One event's value for per-event quantile metric `metric`, if its owner is analysed and it
    /// came at or after the owner's exposure.
    public mutating func addEventValue(metric: Int, owner: Int64, at: Int64, value: Double) {
        guard let index = slot[owner], at >= firstExposed[index], eventValues[metric] != nil else { return }
        eventValues[metric]!.append((Int32(index), value))
    }

    /// The per-user totals the metrics are made of, in the order `addTotal` takes them.
    public var sums: [MetricSum] { plan.sums }

    /// Users first exposed since the tally was made (an incremental reader adds them before the
    /// rows added since its last read); a user already counted is left as is.
    public mutating func addExposures(_ exposures: [ExperimentExposure]) {
        slot.reserveCapacity(slot.count + exposures.count)
        for exposure in exposures where slot[exposure.userID.rawValue] == nil {
            guard let variant = variantIndex[exposure.variant] else { continue }
            slot[exposure.userID.rawValue] = firstExposed.count
            firstExposed.append(exposure.firstExposedAtEpochSeconds)
            userOfSlot.append(exposure.userID.rawValue)
            variantOfSlot.append(variant)
            let version = exposure.version
            if let known = versionIndex[version] {
                versionOfSlot.append(known)
            } else {
                versionIndex[version] = versionKeys.count
                versionOfSlot.append(versionKeys.count)
                versionKeys.append(version)
            }
            for sum in totals.indices { totals[sum].append(0) }
        }
    }

    /// The users counted so far.
    public var exposedUsers: Int { firstExposed.count }

    /// The earliest event time that can count.
    public var earliest: Int64 { (firstExposed.min() ?? 0) - preperiodSeconds }

    /// Counts one event row.
    public mutating func add(kind: String, userID: Int64?, targetUserID: Int64?, at: Int64, amountFen: Int64?) {
        guard let fed = feeds[kind] else { return }
        eventsRead += 1
        if let quantiles = quantileFeeds[kind], let amountFen {
            for feed in quantiles {
                guard let owner = feed.byTarget ? targetUserID : userID else { continue }
                addEventValue(metric: feed.metric, owner: owner, at: at, value: Double(amountFen))
            }
        }
        let amount = Double(amountFen ?? 0)
        for feed in fed {
            guard let owner = feed.byTarget ? targetUserID : userID, let index = slot[owner],
                feed.window.contains(at, exposedAt: firstExposed[index])
            else { continue }
            totals[feed.sum][index] += feed.countsEvents ? 1 : amount
        }
    }

    /// Adds `value` to `owner`'s total of `sums[sum]`: what the owner's events contributed,
    /// totalled by the database. Users not counted here (not exposed, or forced) are skipped.
    public mutating func addTotal(_ value: Double, sum: Int, owner: Int64) {
        guard let index = slot[owner] else { return }
        totals[sum][index] += value
    }

    /// Counts events the database read for the sums (as `add` counts each row it is given).
    public mutating func addEventsRead(_ count: Int) { eventsRead += count }

    /// The event kinds any sum reads.
    public var eventKinds: Set<String> { Set(feeds.keys) }

    /// Whether any metric counts views: readers skip the `page_views` pass otherwise.
    public var readsViewedPages: Bool { feeds[ViewedPage.eventKind] != nil }

    /// Counts one viewed page: each of its posts as one `post.viewed` by the viewer, with the
    /// post's author as target (as the event rows counted before views were stored by page).
    public mutating func addViewedPage(viewerID: Int64, authorIDs: some Sequence<Int64>, at: Int64) {
        guard readsViewedPages else { return }
        for authorID in authorIDs {
            add(kind: ViewedPage.eventKind, userID: viewerID, targetUserID: authorID, at: at, amountFen: nil)
        }
    }

    /// The observations per variant after every event was added, with the users per combination
    /// of versions; with `splitByVersion`, also each combination's own observations.
    public func result(forcedUsersExcluded: Int, splitByVersion: Bool = false) -> MetricObservations {
        let caps = capValues()
        var result = observations(slots: Array(firstExposed.indices), forcedUsersExcluded: forcedUsersExcluded, caps: caps)
        result.caps = appliedCaps(caps)
        result.perUser = self
        result.versions = versionRows()
        if splitByVersion {
            var slotsOfVersion = [[Int]](repeating: [], count: versionKeys.count)
            for index in firstExposed.indices { slotsOfVersion[versionOfSlot[index]].append(index) }
            result.byVersion = versionKeys.indices.sorted { versionKeys[$0] < versionKeys[$1] }.map { version in
                VersionedObservations(
                    version: versionKeys[version], observations: observations(slots: slotsOfVersion[version], forcedUsersExcluded: 0, caps: caps))
            }
        }
        return result
    }

    /// The analysed users, in the order `groupObservations` indexes them, with when each was first exposed.
    public var analysedUsers: [(userID: UserID, firstExposedAtEpochSeconds: Int64)] {
        zip(userOfSlot, firstExposed).map { (UserID($0), $1) }
    }

    /// The observations of each group of analysed users (indices into `analysedUsers`), with
    /// the caps of all of them: a segment's users are capped as everyone is.
    public func groupObservations(_ groups: [[Int]]) -> [MetricObservations] {
        let caps = capValues()
        return groups.map { observations(slots: $0, forcedUsersExcluded: 0, caps: caps) }
    }

    /// Per metric with a cap: the value its users' values are lowered to (absent when a
    /// percentile had no value to be taken from).
    func capValues() -> [Int: Double] {
        var caps: [Int: Double] = [:]
        for (metricIndex, metric) in metrics.enumerated() {
            guard let cap = metric.cap, let value = cap.capValue(of: totals[plan.valueSum[metricIndex]]) else { continue }
            caps[metricIndex] = value
        }
        return caps
    }

    func appliedCaps(_ caps: [Int: Double]) -> [String: ExperimentReport.AppliedCap] {
        var applied: [String: ExperimentReport.AppliedCap] = [:]
        for (metricIndex, metric) in metrics.enumerated() {
            guard let cap = metric.cap else { continue }
            let value = caps[metricIndex]
            let above = value.map { value in totals[plan.valueSum[metricIndex]].count { $0 > value } } ?? 0
            applied[metric.id] = ExperimentReport.AppliedCap(rule: cap.label, value: value, usersCapped: above)
        }
        return applied
    }

    func observations(slots: [Int], forcedUsersExcluded: Int, caps: [Int: Double]) -> MetricObservations {
        var observations = spec.variants.map { VariantObservations(name: $0.name, users: 0, metrics: [:]) }
        for index in slots { observations[variantOfSlot[index]].users += 1 }
        for (metricIndex, metric) in metrics.enumerated() {
            var accumulators = [MetricAccumulator](repeating: MetricAccumulator(), count: spec.variants.count)
            let values = totals[plan.valueSum[metricIndex]]
            let cap = caps[metricIndex] ?? .infinity
            for index in slots {
                let companion = plan.companionSum[metricIndex].map { totals[$0][index] } ?? 0
                accumulators[variantOfSlot[index]].add(value: min(values[index], cap), companion: companion)
            }
            for (variant, accumulator) in accumulators.enumerated() { observations[variant].metrics[metric.id] = accumulator }
            if case .quantile(_, let quantile) = metric.kind {
                for (variant, arm) in quantileArms(metric: metricIndex, quantile, slots: slots).enumerated() {
                    observations[variant].quantiles[metric.id] = arm
                }
            }
        }
        return MetricObservations(
            variants: observations, timeline: timeline(slots: slots), forcedUsersExcluded: forcedUsersExcluded, eventsRead: eventsRead)
    }

    /// Each variant's estimate of a quantile metric over `slots` (nil where no value is left).
    func quantileArms(metric: Int, _ quantile: MetricDefinition.Quantile, slots: [Int]) -> [QuantileArm?] {
        let variantCount = spec.variants.count
        guard quantile.perEvent, let events = eventValues[metric] else {
            let values = totals[plan.valueSum[metric]]
            var perVariant = [[Double]](repeating: [], count: variantCount)
            for index in slots { perVariant[variantOfSlot[index]].append(values[index]) }
            return perVariant.map { QuantileArm.perUser(values: $0, level: quantile.level, ignoreZeros: quantile.ignoreZeros) }
        }
        // Each slot's index among its variant's users: the clusters.
        var local = [Int](repeating: -1, count: firstExposed.count)
        var users = [Int](repeating: 0, count: variantCount)
        for index in slots {
            local[index] = users[variantOfSlot[index]]
            users[variantOfSlot[index]] += 1
        }
        var perVariant = [[(user: Int, value: Double)]](repeating: [], count: variantCount)
        for event in events where local[Int(event.slot)] >= 0 {
            perVariant[variantOfSlot[Int(event.slot)]].append((local[Int(event.slot)], event.value))
        }
        return perVariant.indices.map { variant in
            QuantileArm.perEvent(events: perVariant[variant], users: users[variant], level: quantile.level, ignoreZeros: quantile.ignoreZeros)
        }
    }

    /// Users per combination of versions, unknown versions first.
    func versionRows() -> [ExperimentReport.VersionRow] {
        var rows = versionKeys.map {
            ExperimentReport.VersionRow(version: $0, users: 0, usersPerVariant: [Int](repeating: 0, count: spec.variants.count),
                                        firstExposedAtEpochSeconds: .max, lastExposedAtEpochSeconds: .min)
        }
        for (index, at) in firstExposed.enumerated() {
            let version = versionOfSlot[index]
            rows[version].users += 1
            rows[version].usersPerVariant[variantOfSlot[index]] += 1
            rows[version].firstExposedAtEpochSeconds = min(rows[version].firstExposedAtEpochSeconds, at)
            rows[version].lastExposedAtEpochSeconds = max(rows[version].lastExposedAtEpochSeconds, at)
        }
        return rows.sorted { $0.version < $1.version }
    }

    func timeline(slots: [Int]) -> [ExperimentReport.TimelinePoint] {
        let variantCount = spec.variants.count
        guard let first = slots.map({ firstExposed[$0] }).min(), let last = slots.map({ firstExposed[$0] }).max() else { return [] }
        let firstDay = first / 86_400, lastDay = last / 86_400
        var perDay = [[Int]](repeating: [Int](repeating: 0, count: variantCount), count: Int(lastDay - firstDay) + 1)
        for index in slots { perDay[Int(firstExposed[index] / 86_400 - firstDay)][variantOfSlot[index]] += 1 }
        var running = [Int](repeating: 0, count: variantCount)
        return perDay.enumerated().map { offset, counts in
            for variant in 0..<variantCount { running[variant] += counts[variant] }
            return ExperimentReport.TimelinePoint(dayEpochSeconds: (firstDay + Int64(offset)) * 86_400, cumulativeUsers: running)
        }
    }
}
