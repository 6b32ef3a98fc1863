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
}

/// The observations of the users first exposed under one combination of versions.
public struct VersionedObservations: Sendable {
    public var version: ExposureVersion
    public var observations: MetricObservations
}

/// The metric reader's single pass over events, apart from the database that streams them: the
/// caller reads events with `at` in [`earliest`, before) in any order and feeds each row to
/// `add`, and viewed pages (`page_views`) in the same range to `addViewedPage`. Memory grows with exposed users (one slot per user and metric), never with events.
public struct MetricTally: Sendable {
    enum Part { case value, companion }
    typealias Target = (metric: Int, part: Part, measure: MetricDefinition.EventMeasure, attribution: MetricDefinition.Attribution)

    let spec: ExperimentSpec
    let metrics: [MetricDefinition]
    /// Dense slots: user → index into the per-metric arrays.
    var slot: [Int64: Int] = [:]
    var firstExposed: [Int64] = []
    var variantOfSlot: [Int] = []
    /// Index into `versionKeys` of each slot's exposure versions.
    var versionOfSlot: [Int] = []
    var versionKeys: [ExposureVersion] = []
    var versionIndex: [ExposureVersion: Int] = [:]
    let variantIndex: [String: Int]
    var values: [[Double]]
    var companions: [[Double]]
    let preperiodSeconds: Int64
    /// Which (metric, part) each event kind feeds.
    var feeds: [String: [Target]] = [:]
    public private(set) var eventsRead = 0

    /// Counts only events after each user's first exposure (and, for CUPED, the
    /// `preperiodDays` before it as the covariate). `exposures` are one phase's: one per user.
    public init(spec: ExperimentSpec, metrics: [MetricDefinition], exposures: [ExperimentExposure]) {
        self.spec = spec
        self.metrics = metrics
        variantIndex = Dictionary(uniqueKeysWithValues: spec.variants.enumerated().map { ($1.name, $0) })
        values = [[Double]](repeating: [], count: metrics.count)
        companions = values
        preperiodSeconds = Int64(spec.preperiodDays) * 86_400
        for (index, metric) in metrics.enumerated() {
            switch metric.kind {
            case .mean(let measure), .proportion(let measure):
                feeds[measure.event, default: []].append((index, .value, measure, metric.attribution))
            case .ratio(let numerator, let denominator):
                feeds[numerator.event, default: []].append((index, .value, numerator, metric.attribution))
                feeds[denominator.event, default: []].append((index, .companion, denominator, metric.attribution))
            }
        }
        addExposures(exposures)
    }

    /// Users first exposed since the tally was made (an incremental reader adds them before the
    /// rows added since its last read); a user already counted is left as is.
    public mutating func addExposures(_ exposures: [ExperimentExposure]) {
        slot.reserveCapacity(slot.count + exposures.count)
        for exposure in exposures where slot[exposure.userID.rawValue] == nil {
            guard let variant = variantIndex[exposure.variant] else { continue }
            slot[exposure.userID.rawValue] = firstExposed.count
            firstExposed.append(exposure.firstExposedAtEpochSeconds)
            variantOfSlot.append(variant)
            let version = exposure.version
            if let known = versionIndex[version] {
                versionOfSlot.append(known)
            } else {
                versionIndex[version] = versionKeys.count
                versionOfSlot.append(versionKeys.count)
                versionKeys.append(version)
            }
            for metric in metrics.indices {
                values[metric].append(0)
                companions[metric].append(0)
            }
        }
    }

    /// The users counted so far.
    public var exposedUsers: Int { firstExposed.count }

    /// The earliest event time that can count.
    public var earliest: Int64 { (firstExposed.min() ?? 0) - preperiodSeconds }

    /// Counts one event row.
    public mutating func add(kind: String, userID: Int64?, targetUserID: Int64?, at: Int64, amountFen: Int64?) {
        guard let targets = feeds[kind] else { return }
        eventsRead += 1
        let amount = Double(amountFen ?? 0)
        for target in targets {
            let owner = target.attribution == .actor ? userID : targetUserID
            guard let owner, let index = slot[owner] else { continue }
            let amountOrOne = target.measure.valueField == nil ? 1 : amount
            if at >= firstExposed[index] {
                if target.part == .value { values[target.metric][index] += amountOrOne } else { companions[target.metric][index] += amountOrOne }
            } else if preperiodSeconds > 0, target.part == .value, at >= firstExposed[index] - preperiodSeconds,
                case .mean = metrics[target.metric].kind
            {
                companions[target.metric][index] += amountOrOne
            }
        }
    }

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
        var result = observations(slots: Array(firstExposed.indices), forcedUsersExcluded: forcedUsersExcluded)
        result.versions = versionRows()
        if splitByVersion {
            var slotsOfVersion = [[Int]](repeating: [], count: versionKeys.count)
            for index in firstExposed.indices { slotsOfVersion[versionOfSlot[index]].append(index) }
            result.byVersion = versionKeys.indices.sorted { versionKeys[$0] < versionKeys[$1] }.map { version in
                VersionedObservations(
                    version: versionKeys[version], observations: observations(slots: slotsOfVersion[version], forcedUsersExcluded: 0))
            }
        }
        return result
    }

    func observations(slots: [Int], forcedUsersExcluded: Int) -> MetricObservations {
        var observations = spec.variants.map { VariantObservations(name: $0.name, users: 0, metrics: [:]) }
        for index in slots { observations[variantOfSlot[index]].users += 1 }
        for (metricIndex, metric) in metrics.enumerated() {
            var accumulators = [MetricAccumulator](repeating: MetricAccumulator(), count: spec.variants.count)
            for index in slots {
                accumulators[variantOfSlot[index]].add(value: values[metricIndex][index], companion: companions[metricIndex][index])
            }
            for (variant, accumulator) in accumulators.enumerated() { observations[variant].metrics[metric.id] = accumulator }
        }
        return MetricObservations(
            variants: observations, timeline: timeline(slots: slots), forcedUsersExcluded: forcedUsersExcluded, eventsRead: eventsRead)
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
