import Core
import Experiments
import Foundation
import Ledger
import LuaHost
import Service
import Social
import SQLiteStorage
import StorageModel

/// What happened in a run: the final report, the day the guardrail stopped the experiment,
/// action counts and where the wall-clock time went (timings never enter the report).
public struct SimulationResult: Sendable {
    public struct Day: Sendable {
        public var day: Int
        public var status: String
        /// The ramp step (1-based) and the traffic served at the end of the day.
        public var step: Int
        public var traffic: Double
        public var decision: String
        public var exposed: Int
        /// "metric: verdict" per guardrail.
        public var guardrails: [String]
    }

    public struct Counts: Sendable {
        public var sessions = 0
        /// Post-permission checks when a session opens a circle (one per session).
        public var permissionChecks = 0
        public var postsShown = 0
        public var posts = 0
        /// Posts a user wanted to write where the post rule said no (no compose button).
        public var postsDenied = 0
        public var likes = 0
        public var comments = 0
        public var commentsDenied = 0
        public var reports = 0
        /// "Show less" marks and blocks (the trust-and-safety signals beside reports).
        public var showLess = 0
        public var blocks = 0
        public var tips = 0
        public var tipsDenied = 0
        public var otherRefusals = 0
        /// Every service call the simulation made (feed requests, permission checks, actions).
        public var actions: Int { sessions + permissionChecks + posts + likes + comments + commentsDenied + reports + showLess + blocks + tips + tipsDenied + otherRefusals
        }
    }

    public struct Timings: Sendable {
        public var seedSeconds = 0.0
        public var behaviourSeconds = 0.0
        public var feedSeconds = 0.0
        public var actionSeconds = 0.0
        public var analysisSeconds = 0.0
        public var totalSeconds = 0.0
    }

    public var report: ExperimentReport
    public var days: [Day]
    /// 1-based simulated day on which the guardrail stopped the experiment.
    public var stoppedOnDay: Int?
    /// When the watcher stopped it (simulated epoch seconds), and the hours since the run began.
    public var stoppedAtEpochSeconds: Int64?
    public var stoppedAfterHours: Double? {
        stoppedAtEpochSeconds.map { Double($0 - startEpochSeconds) / 3_600 }
    }
    public var startEpochSeconds: Int64
    /// Every change the watcher (or the run) recorded, oldest first.
    public var changes: [ExperimentChange]
    /// The watcher's looks over the run.
    public var looks: Int
    /// Users ever exposed to a variant other than control (those who met the change).
    public var exposedToTreatment: Int
    /// Targeted users in the population: the seed's "everyone".
    public var targetedUsers: Int
    public var counts: Counts
    public var timings: Timings
    public var seedSummary: String
    public var databasePath: String
}

/// A finished simulation's world, for re-analysis before its temporary database goes.
struct SimulatedWorld {
    var service: QuanziService
    var spec: ExperimentSpec
    var endEpochSeconds: Int64
    /// Times of the actions each user would have taken only under a latent planted effect.
    var latentActions: [UserID: [Int64]]

    /// Rewriting the exposures of the simulation's own database, for calibration.
    func calibration() throws -> any ExposureCalibrating {
        guard let calibration = service.storage.calibration else { throw SimulationError("calibration needs a SQLite simulation database") }
        return calibration
    }
}

public enum SimulationRunner {
    static let postBodies = ["图书馆占座失败的一天", "今天的晚霞太美了", "加班到十点，犒劳自己一杯奶茶", "期末周倒计时", "周末去西湖边骑车",
                             "新同事请吃饭，开心", "考研上岸了！", "公司楼下新开了面馆", "午休散步两公里", "宿舍阳台的多肉"]
    /// What bad actors post: mostly past the keyword filter, so only viewers' reports catch it.
    static let badPostBodies = ["私房照，懂的来", "深夜福利，看主页", "兼职日结，有意私信", "同城交友，戳我", "约吗"]
    static let commentBodies = ["哈哈哈", "好看！", "同感", "加油", "在哪里？", "太真实了", "学到了"]

    enum Outcome { case done, denied, refused }

    /// The simulation database's page cache, on its one connection (`QuanziDatabase.Access`):
    /// a 100,000-user world's hot tables and indexes fit.
    static let pageCacheMiB = 256

    /// Runs a service action: done, denied by a rule, or refused otherwise (already liked,
    /// post hidden by reports since it was shown…). A storage failure ends the run: the world
    /// would no longer be the one the report describes.
    static func attempt(_ body: () throws -> Void) throws -> Outcome {
        do {
            try body()
            return .done
        } catch let error as QuanziError {
            if error.code == .storageFailure { throw error }
            return error.code == .ruleDenied ? .denied : .refused
        }
    }

    /// Runs one simulation. Deterministic: the same options give the same report, byte for byte.
    public static func run(_ options: SimulationOptions, progress: (@Sendable (SimulationProgress) -> Void)? = nil) async throws -> SimulationResult {
        try await run(options, progress: progress, inspect: nil)
    }

    /// Runs one simulation, then hands the simulated world to `inspect` before a temporary
    /// database is removed (calibration re-analyses it).
    static func run(_ options: SimulationOptions, progress: (@Sendable (SimulationProgress) -> Void)?,
                    inspect: ((SimulatedWorld) async throws -> Void)?) async throws -> SimulationResult {
        let wallStart = Date()
        guard options.users >= 2 else { throw SimulationError("--users must be at least 2") }
        guard options.days >= 1 else { throw SimulationError("--days must be at least 1") }
        var timings = SimulationResult.Timings()

        let plugins: PluginSet
        do throws(PluginLoadError) {
            plugins = try PluginSet.load(directory: options.pluginsDirectory, limits: options.limits)
        } catch {
            throw SimulationError(error.problems.map(\.description).joined(separator: "\n"))
        }
        // The simulated experiment stays a draft while the population is seeded (no exposure
        // before day 0, and no exposure write inside DemoWorld's bulk transactions), then runs.
        let seedingSet = try ExperimentOverrides(options: options, status: "draft").load()
        let runningSet = try ExperimentOverrides(options: options, status: "running").load()
        guard let spec = runningSet.experiment(options.experiment) else {
            throw SimulationError("no experiment '\(options.experiment)' in \(options.experimentsDirectory)")
        }
        let plantedAction = try options.plantedEffect.map { effect throws(SimulationError) in try effect.action(in: runningSet) }
        let latentAction = try options.latentEffect.map { effect throws(SimulationError) in try effect.action(in: runningSet) }
        var latentActions: [UserID: [Int64]] = [:]

        let database: QuanziDatabase
        if let path = options.databasePath {
            database = try QuanziDatabase(path: path, access: .singleThread(cacheMiB: Self.pageCacheMiB, viewers: options.users))
            guard try UserStore(database: database).count() == 0 else { throw SimulationError("\(path) already has users; simulate into a new file") }
        } else {
            // The wallet refuses a writer without synchronous=FULL, even on a throwaway file, so a
            // simulation pays the same fsyncs as the service. On /dev/shm they cost nothing: fsync
            // was 0.06% of an 8,000-user day's CPU (perf), so a scratch world with synchronous=OFF
            // (and a way around the wallet's check) would buy nothing.
            database = try QuanziDatabase.temporary(name: "simulation", inMemoryFileSystem: true,
                                                     access: .singleThread(cacheMiB: Self.pageCacheMiB, viewers: options.users))
        }
        // The database groups its writes (`.singleThread`): a kept file gets the last group too.
        defer { if options.databasePath == nil { try? database.removeFiles() } else { try? database.commitPending() } }

        let clock = ManualClock(epochSeconds: options.startEpochSeconds)
        let seedStart = Date()
        let seeding = try QuanziService(database: database, plugins: plugins, experiments: seedingSet, clock: clock, limits: options.limits)
        let summary = try await DemoWorld.seed(seeding, options: DemoWorld.Options(users: options.users, seed: options.seed))
        // Views are written behind, as the server writes them (a page's own commit was a tenth of
        // a simulated session), and flushed before anything reads them: each watcher look, each
        // analysis and the end of the run.
        let service = try QuanziService(database: database, plugins: plugins, experiments: runningSet, clock: clock, limits: options.limits,
                                        viewDurability: .writeBehind)
        try service.recomputeCredit()

        var users: [UserProfile] = []
        var after: UserID?
        while true {
            let page = try service.users.page(afterID: after, limit: 5_000)
            guard let last = page.last else { break }
            users += page
            after = last.id
        }
        users.sort { $0.id.rawValue < $1.id.rawValue }
        // Everyone comes on the first day: their feeds' social signals in one pass per table.
        try FeedQueries(database: database).preloadSocialSignals(of: users.map(\.id))
        let credit = try service.credit.allScores()
        var friendCounts: [UserID: Int] = [:]
        for user in users { friendCounts[user.id] = try service.friends.friends(of: user.id).count }
        _ = try await service.wallet.openAccounts(for: users.map(\.id))
        let topUps = users.map { TransferRequest.topUp($0.id, amountFen: 100_000, idempotencyKey: "sim-topup-\($0.id.rawValue)") }
        for result in await service.wallet.transferBatch(topUps) { _ = try result.get() }
        // Who is in a non-control variant at the current ramp step (pure hash, nothing logged):
        // where a planted effect acts. Recomputed when the step changes; empty once stopped.
        var treated = Set<UserID>()
        var treatedAtRevision: Int64 = -1
        func refreshTreated() throws {
            let revision = service.experiments.currentLifecycle(of: spec).revision
            guard options.plantedEffect != nil, revision != treatedAtRevision else { return }
            treatedAtRevision = revision
            treated = []
            guard service.experiments.status(of: spec) == .running else { return }
            let assignments = try service.experiments.assign(users, to: spec.id)
            for (user, assignment) in zip(users, assignments) {
                if assignment.exposes, let variant = assignment.variant, variant.name != spec.control.name { treated.insert(user.id) }
            }
        }
        let targetedUsers = try service.experiments.engine.isTargeted(users, experiment: spec.id).count(where: { $0 })
        timings.seedSeconds = Date().timeIntervalSince(seedStart)

        let behaviour = try BehaviourModel(path: options.resolvedBehaviourPath, dataSource: service.previewDataSource, clock: clock,
                                           limits: options.limits)
        let circleIDs = Set(plugins.circles.map(\.id))
        var counts = SimulationResult.Counts()
        var days: [SimulationResult.Day] = []
        var stoppedOnDay: Int?
        var stoppedAt: Int64?
        // The service's watcher on simulated time, looking at this experiment only (the others in
        // the folder are not what is simulated).
        let watchInterval = options.watchIntervalMinutes.map { Int64($0) * 60 }
        let watcher = options.analyseDaily ? watchInterval.map {
            ExperimentWatcher(experiments: service.experiments, intervalSeconds: $0, only: [spec.id], reader: IncrementalMetricReader(database: database))
        } : nil
        var nextLook = options.startEpochSeconds
        /// The guardrails as the watcher last judged them (always-valid intervals).
        var lastLookGuardrails: [String]?
        var looks = 0
        /// Every look due up to `time`, each at its own simulated time.
        func lookUntil(_ time: Int64, day: Int) throws {
            guard let watcher, let interval = watchInterval else { return }
            while nextLook <= time {
                clock.set(epochSeconds: nextLook)
                let analysisStart = Date()
                try service.views.flush()
                for look in watcher.look(now: nextLook) {
                    lastLookGuardrails = look.guardrails.map { "\($0.metric): \($0.verdict.rawValue)" }
                    if look.outcome == .failed { throw SimulationError("the watcher's look failed: \(look.failure ?? "")") }
                    if look.change?.kind == .stopped, stoppedAt == nil {
                        stoppedAt = nextLook
                        stoppedOnDay = day + 1
                    }
                }
                timings.analysisSeconds += Date().timeIntervalSince(analysisStart)
                looks += 1
                nextLook += interval
                try refreshTreated()
            }
        }
        try refreshTreated()
        var badActors = Set<UserID>()
        var lastReport: ExperimentReport?
        let base = SeededGenerator(seed: options.seed ^ 0x51A7_0000_0000_0001)
        // Progress in thousandths of a day; the Lua behaviour pass is about 1% of a day's time,
        // the sessions the rest (so the ETA follows the sessions).
        let progressPerDay = 1_000, behaviourShare = 10
        let progressTotal = progressPerDay * options.days
        var tipSerial = 0

        struct Session {
            var offset: Int64
            var user: Int
            var circle: CircleID
            var serial: Int
        }

        for day in 0..<options.days {
            let dayStart = options.startEpochSeconds + Int64(day) * 86_400
            clock.set(epochSeconds: dayStart)
            var random = base.split(UInt64(day) &+ 1)
            // "Show less" and blocks draw from their own stream, so every earlier draw (and the
            // runs before they existed) stays as it was.
            var safetyRandom = base.split(0x5AFE_0000_0000 &+ UInt64(day))
            // Tip amounts too, for the same reason.
            var tipRandom = base.split(0x7100_0000_0000 &+ UInt64(day))
            let weekday = Int(((dayStart / 86_400) + 4) % 7)  // 1970-01-01 was a Thursday
            var propensities: [Propensities] = []
            propensities.reserveCapacity(users.count)
            var sessions: [Session] = []
            let behaviourStart = Date()
            for (index, user) in users.enumerated() {
                let p = try behaviour.day(user, now: dayStart, day: day, weekday: weekday, credit: credit[user.id] ?? 350,
                                          friends: friendCounts[user.id] ?? 0)
                if p.badActor { badActors.insert(user.id) }
                let circles = p.circles.filter { circleIDs.contains($0.0) }
                let count = random.poisson(p.sessions)
                if !circles.isEmpty {
                    for serial in 0..<count {
                        let hour = p.hours.isEmpty ? random.int(in: 0...23) : random.weighted(p.hours)
                        let offset = Int64(hour) * 3_600 + Int64(random.next(below: 3_600))
                        let circle = circles[random.weighted(circles.map(\.1))].0
                        sessions.append(Session(offset: offset, user: index, circle: circle, serial: serial))
                    }
                }
                propensities.append(p)
                if index % 1_000 == 999 { progress?(SimulationProgress(phase: "day \(day + 1)/\(options.days): behaviour", done: day * progressPerDay + behaviourShare * index / users.count, total: progressTotal)) }
            }
            timings.behaviourSeconds += Date().timeIntervalSince(behaviourStart)
            sessions.sort { ($0.offset, $0.user, $0.serial) < ($1.offset, $1.user, $1.serial) }

            for (number, session) in sessions.enumerated() {
                try lookUntil(dayStart + session.offset, day: day)
                clock.set(epochSeconds: dayStart + session.offset)
                let user = users[session.user]
                let p = propensities[session.user]
                let planted = treated.contains(user.id)
                func boost(_ value: Double, _ action: PlantedEffect.Action) -> Double {
                    guard planted, plantedAction == action, let effect = options.plantedEffect else { return value }
                    return value * (1 + effect.relative)
                }
                // One draw decides both potential outcomes: the action happens (for everyone)
                // below `chance`; between `chance` and chance·(1 + effect) it would happen only
                // under treatment, so it is kept aside as a latent action of this user.
                func decides(_ chance: Double, _ action: PlantedEffect.Action) -> Bool {
                    let roll = random.unit()
                    if roll < chance { return true }
                    if latentAction == action, let effect = options.latentEffect, roll < chance * (1 + effect.relative) {
                        latentActions[user.id, default: []].append(clock.nowEpochSeconds)
                    }
                    return false
                }
                counts.sessions += 1
                let actionStart = Date()
                // Opening a circle, the app asks what the user may do there (GET /v1/circles/ID's
                // my_permissions) and shows the compose button only if the post rule allows it:
                // an experiment the post rule reads exposes the user here, posting or not.
                let mayPost = try service.decide(user.id, .post, in: session.circle).allowed
                counts.permissionChecks += 1
                if decides(boost(p.postChance(in: session.circle), .post), .post) {
                    if mayPost {
                        let body = p.badActor ? random.pick(badPostBodies) : random.pick(postBodies)
                        switch try attempt({ _ = try service.createPost(by: user.id, in: session.circle, kind: p.badActor ? .photo : .text, body: body) }) {
                        case .done: counts.posts += 1
                        case .denied: counts.postsDenied += 1
                        case .refused: counts.otherRefusals += 1
                        }
                    } else {
                        counts.postsDenied += 1
                    }
                }
                let feedStart = Date()
                timings.actionSeconds += feedStart.timeIntervalSince(actionStart)
                let feed = try service.feed(for: user.id, in: session.circle, limit: options.feedPageSize)
                let afterFeed = Date()
                timings.feedSeconds += afterFeed.timeIntervalSince(feedStart)
                for item in feed.items where item.post.authorID != user.id {
                    counts.postsShown += 1
                    let post = item.post
                    if decides(boost(p.like, .like), .like) {
                        if try attempt({ try service.like(post.id, by: user.id) }) == .done { counts.likes += 1 } else { counts.otherRefusals += 1 }
                    }
                    if decides(boost(p.comment, .comment), .comment) {
                        let body = random.pick(commentBodies)
                        switch try attempt({ _ = try service.comment(on: post.id, by: user.id, body: body) }) {
                        case .done: counts.comments += 1
                        case .denied: counts.commentsDenied += 1
                        case .refused: counts.otherRefusals += 1
                        }
                    }
                    let fromBadActor = badActors.contains(post.authorID)
                    if safetyRandom.chance(fromBadActor ? p.showLessBad : p.showLess) {
                        if try attempt({ _ = try service.showLess(post.id, by: user.id) }) == .done { counts.showLess += 1 } else { counts.otherRefusals += 1 }
                    }
                    if fromBadActor, safetyRandom.chance(p.blockBad) {
                        if try attempt({ _ = try service.block(post.authorID, by: user.id) }) == .done { counts.blocks += 1 } else { counts.otherRefusals += 1 }
                    }
                    if random.chance(fromBadActor ? p.reportBad : p.report) {
                        if try attempt({ try service.report(post.id, by: user.id, reason: "inappropriate") }) == .done { counts.reports += 1 } else {
                            counts.otherRefusals += 1
                        }
                    }
                    if p.tipFen > 0, random.chance(p.tip) {
                        // Through the service, like every caller: its tip rule decides, and a
                        // committed tip reaches the feed and the tipper's affinity.
                        tipSerial += 1
                        let tipped: Result<TransferResult, QuanziError>
                        do {
                            tipped = .success(try await service.tip(post.id, by: user.id, amountFen: p.tipAmount(&tipRandom), idempotencyKey: "sim-tip-\(tipSerial)"))
                        } catch {
                            tipped = .failure(error)
                        }
                        switch tipped {
                        case .success(.rejected): counts.otherRefusals += 1
                        case .success: counts.tips += 1
                        case .failure(let error) where error.code == .ruleDenied: counts.tipsDenied += 1
                        case .failure(let error) where error.code == .storageFailure: throw error
                        case .failure: counts.otherRefusals += 1  // hidden by reports since it was listed, say
                        }
                    }
                }
                timings.actionSeconds += Date().timeIntervalSince(afterFeed)
                if number % 200 == 199 {
                    let done = day * progressPerDay + behaviourShare + (progressPerDay - behaviourShare) * (number + 1) / max(1, sessions.count)
                    progress?(SimulationProgress(phase: "day \(day + 1)/\(options.days): actions", done: done, total: progressTotal))
                }
            }

            let dayEnd = dayStart + 86_400
            try lookUntil(dayEnd - 1, day: day)
            clock.set(epochSeconds: dayEnd)
            if options.analyseDaily || day == options.days - 1 {
                let analysisStart = Date()
                try service.views.flush()
                let wasRunning = service.experiments.status(of: spec) == .running
                // With the watcher the day's row is a reading (the watcher alone acts); without it,
                // guardrails are applied here, as `ab analyze` would at the end of the day.
                // The last day's report is the run's: it alone carries the segment breakdown.
                let report = try service.experiments.analyze(
                    spec.id, now: dayEnd, applyGuardrails: watcher == nil, segments: day == options.days - 1)
                timings.analysisSeconds += Date().timeIntervalSince(analysisStart)
                if watcher == nil, wasRunning, report.status == ExperimentStatus.stopped.rawValue, stoppedOnDay == nil {
                    stoppedOnDay = day + 1
                    stoppedAt = dayEnd
                }
                let lifecycle = service.experiments.currentLifecycle(of: spec)
                days.append(SimulationResult.Day(
                    day: day + 1, status: report.status, step: lifecycle.step + 1, traffic: service.experiments.currentTraffic(of: spec),
                    decision: report.decision.rawValue, exposed: report.variants.reduce(0) { $0 + $1.users },
                    guardrails: lastLookGuardrails ?? report.guardrails.map { "\($0.metric): \($0.verdict.rawValue)" }))
                lastReport = report
            }
            progress?(SimulationProgress(phase: "day \(day + 1)/\(options.days) done", done: (day + 1) * progressPerDay, total: progressTotal))
        }
        guard let report = lastReport else { throw SimulationError("no analysis ran") }
        try service.views.flush()
        try database.commitPending()
        if let inspect {
            try await inspect(SimulatedWorld(service: service, spec: spec, endEpochSeconds: clock.nowEpochSeconds,
                                             latentActions: latentActions))
        }
        timings.totalSeconds = Date().timeIntervalSince(wallStart)
        let exposedToTreatment = try service.experiments.store.exposures(of: spec.id, phase: spec.phase)
            .filter { $0.variant != spec.control.name }.count
        return SimulationResult(report: report, days: days, stoppedOnDay: stoppedOnDay, stoppedAtEpochSeconds: stoppedAt,
                                startEpochSeconds: options.startEpochSeconds, changes: try service.experiments.changes(of: spec.id), looks: looks,
                                exposedToTreatment: exposedToTreatment, targetedUsers: targetedUsers, counts: counts, timings: timings,
                                seedSummary: summary.description, databasePath: options.databasePath ?? "(temporary)")
    }
}

/// Loads the experiments with the simulated one adjusted, without touching the files: each
/// experiment file is prefixed (on its first line, so line numbers hold) with a local `quanzi`
/// whose `experiment` sets the status, and for A/A gives every variant the control's params.
struct ExperimentOverrides {
    var options: SimulationOptions
    var status: String

    func load() throws -> ExperimentSet {
        let sources: [PluginSource]
        do throws(PluginLoadError) {
            sources = try PluginSource.folder(options.experimentsDirectory).filter { !$0.path.hasSuffix("/behaviour.lua") }
        } catch {
            throw SimulationError(error.problems.map(\.description).joined(separator: "\n"))
        }
        let id = options.experiment.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        var changes = "t.status = \"\(status)\"; t.start = nil; "
        if options.aa { changes += "for _, v in ipairs(t.variants or {}) do v.params = t.variants[1].params end; " }
        // `--traffic` replaces a declared ramp: one fixed share from start to end.
        if let traffic = options.traffic { changes += "t.traffic = \(traffic); t.ramp = nil; " }
        let prefix = "local quanzi = (function(q) return setmetatable({ experiment = function(t) "
            + "if type(t) == \"table\" and t.id == \"\(id)\" then \(changes)end return q.experiment(t) end }, { __index = q }) end)(quanzi); "
        let adjusted = sources.map { PluginSource(path: $0.path, code: prefix + $0.code) }
        do throws(PluginLoadError) {
            return try ExperimentSet.load(adjusted, limits: options.limits)
        } catch {
            throw SimulationError(error.problems.map(\.description).joined(separator: "\n"))
        }
    }
}
