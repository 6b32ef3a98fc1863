import ArgumentParser
import Experiments
import Foundation
import Service
import Simulation
import SQLiteStorage

/// Progress on stderr: a bar with ETA on a terminal, plain periodic lines otherwise.
final class ProgressPrinter: @unchecked Sendable {
    private let tty = isatty(2) == 1
    private let started = Date()
    private var lastPrinted = Date.distantPast
    private var lastPercent = -1
    private let lock = NSLock()
    static let plainIntervalSeconds = 30.0

    func update(_ progress: SimulationProgress) {
        lock.lock()
        defer { lock.unlock() }
        let fraction = progress.total > 0 ? min(1, Double(progress.done) / Double(progress.total)) : 0
        let elapsed = Date().timeIntervalSince(started)
        let eta = fraction > 0.01 ? elapsed / fraction - elapsed : nil
        let etaText = eta.map { "ETA " + Self.minutes($0) } ?? "ETA --"
        if tty {
            guard Date().timeIntervalSince(lastPrinted) > 0.1 || fraction >= 1 else { return }
            lastPrinted = Date()
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data(String(format: "\r[%@] %3.0f%% %@  %@   ", bar, fraction * 100, etaText, progress.phase).utf8))
        } else {
            // A line per 10% or, on long runs, at least every `plainIntervalSeconds`.
            let percent = Int(fraction * 10) * 10
            guard percent > lastPercent || Date().timeIntervalSince(lastPrinted) >= Self.plainIntervalSeconds else { return }
            lastPercent = max(lastPercent, percent)
            lastPrinted = Date()
            FileHandle.standardError.write(Data(String(format: "%3.0f%% %@ (%.0fs elapsed, %@)\n", fraction * 100, progress.phase, elapsed, etaText).utf8))
        }
    }

    static func minutes(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole < 60 ? "\(whole)s" : String(format: "%dm%02ds", whole / 60, whole % 60)
    }

    func line(_ text: String) {
        FileHandle.standardError.write(Data(((tty ? "\r" : "") + text + "\n").utf8))
    }

    func finish() {
        if tty { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

struct SimulationFlags: ParsableArguments {
    @Option(name: .long, help: "Folder of circle plugins (*.lua).") var plugins = "plugins"
    @Option(name: .long, help: "Folder of experiments and metrics (*.lua).") var experiments = "experiments"
    @Option(help: "The behaviour model (default: <experiments>/behaviour.lua).") var behaviour: String?
    @Option(help: "Simulated users.") var users = 10_000
    @Option(help: "Simulated days.") var days = 7
    @Option(help: "Override the experiment's traffic share (0–1), e.g. to calibrate on a small population; replaces a ramp.") var traffic: Double?
    @Option(help: "Minutes of simulated time between the watcher's looks, as serve's; 0: judge guardrails once a day with fixed-horizon intervals.")
    var watchIntervalMinutes = 10

    func validate() throws {
        guard (2...1_000_000).contains(users) else { throw ValidationError("--users must be between 2 and 1000000") }
        guard (1...365).contains(days) else { throw ValidationError("--days must be between 1 and 365") }
        if let traffic, !(traffic > 0 && traffic <= 1) { throw ValidationError("--traffic must be in (0, 1]") }
        guard (0...1_440).contains(watchIntervalMinutes) else { throw ValidationError("--watch-interval-minutes must be between 0 and 1440") }
    }

    func options(experiment: String, seed: UInt64) -> SimulationOptions {
        var options = SimulationOptions(experiment: experiment, users: users, days: days, seed: seed)
        options.pluginsDirectory = plugins
        options.experimentsDirectory = experiments
        options.behaviourPath = behaviour
        options.traffic = traffic
        options.watchIntervalMinutes = watchIntervalMinutes == 0 ? nil : watchIntervalMinutes
        return options
    }
}

struct AbSimulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run an experiment on a synthetic population through the real service, then write its report.",
        discussion: """
            Builds a fresh population (DemoWorld) in a temporary database (or a new --db file), plays \
            --days simulated days from 2026-03-01 in which users browse feeds, post, comment, like, \
            report and tip through the same Lua rules, ranking and exposure logging as the service, \
            runs the service's experiment watcher every --watch-interval-minutes of simulated time (ramp \
            steps and guardrail stops, as `quanzi serve` does) and writes \
            report.json and report.html. A draft experiment runs as if started. The same --seed gives \
            the same report, byte for byte.
            """)

    @Argument(help: "Experiment id.") var experiment: String
    @OptionGroup var flags: SimulationFlags
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Folder for the report (written to DIR/EXP/).") var out = "var/simulations"
    @Option(help: "Keep the simulated world in this new database file instead of a temporary one.") var db: String?
    @Option(help: "Multiply the treatment's propensity for a metric's event, e.g. likes_per_user=+3%.") var plantedEffect: String?
    @Flag(help: "A/A: every variant gets the control's parameters.") var aa = false

    func run() async throws {
        if let db { try GlobalOptions.requireSQLite(db, command: "ab simulate", why: "a simulation builds its world in a new database file") }
        QuanziDatabase.keepTemporaryFilesInMemoryFileSystem()
        var options = flags.options(experiment: experiment, seed: seed)
        options.databasePath = db
        options.aa = aa
        let printer = ProgressPrinter()
        do {
            if let plantedEffect { options.plantedEffect = try PlantedEffect(parsing: plantedEffect) }
            let result = try await SimulationRunner.run(options) { printer.update($0) }
            printer.finish()
            let folder = (out as NSString).appendingPathComponent(experiment)
            let paths = try ReportWriter.write(result.report, to: folder)
            let c = result.counts, t = result.timings
            print("population: \(result.seedSummary)")
            for change in result.changes {
                let hours = Double(change.atEpochSeconds - result.startEpochSeconds) / 3_600
                print(String(format: "hour %6.2f: ", hours) + "\(change.kind.rawValue) by \(change.actor), traffic \(Self.percent(change.traffic)): \(change.reason)")
            }
            for day in result.days {
                print("day \(day.day): \(day.status), step \(day.step) at \(Self.percent(day.traffic)), \(day.exposed) exposed, decision \(day.decision); "
                    + (result.looks > 0 ? "watcher's last look: " : "") + day.guardrails.joined(separator: ", "))
            }
            if let hours = result.stoppedAfterHours, let day = result.stoppedOnDay, let reason = result.report.stopReason {
                let how = result.looks > 0 ? "by the service's watcher" : "by guardrail at the end of the day"
                print(String(format: "STOPPED %@ at hour %.2f (day %d): %@", how, hours, day, reason))
            }
            print("\(result.exposedToTreatment) users were ever exposed to a non-control variant, of \(result.targetedUsers) targeted users "
                + "(at full traffic with nobody watching, all of them would have been)")
            print(result.report.summary)
            print(String(format: "%d sessions, %d posts shown, %d posts (%d denied), %d likes, %d comments (%d denied), %d reports, %d show less, %d blocks, %d tips (%d denied)",
                         c.sessions, c.postsShown, c.posts, c.postsDenied, c.likes, c.comments, c.commentsDenied, c.reports, c.showLess, c.blocks,
                         c.tips, c.tipsDenied))
            let simulated = t.totalSeconds - t.seedSeconds
            print(String(format: "time %.1fs: seed %.1fs, behaviour (Lua) %.1fs, feeds %.1fs, actions %.1fs, analysis %.1fs; %.0f service calls/s",
                         t.totalSeconds, t.seedSeconds, t.behaviourSeconds, t.feedSeconds, t.actionSeconds, t.analysisSeconds,
                         Double(c.actions) / max(simulated, 0.001)))
            print("wrote \(paths.json) and \(paths.html)")
        } catch {
            printer.finish()
            Console.error("\(error)")
            throw ExitCode(1)
        }
    }
}

extension AbSimulate {
    static func percent(_ share: Double) -> String {
        let value = share * 100
        return value == value.rounded() ? "\(Int(value))%" : String(format: "%g%%", value)
    }
}

struct AbCalibrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "A/A runs give each test's false-positive rate; planted-effect runs give observed vs predicted power.",
        discussion: """
            By default one A/A population is simulated through the service and every run re-draws \
            the assignment of its exposed users with a new salt, then re-analyses the same event log \
            with the service's reader and analyser: hundreds of runs cost one simulation. A planted \
            effect comes from the behaviour model as potential outcomes (the same draw decides the \
            action under control and under treatment); each run credits the extra actions to the \
            users its split puts in treatment. --resimulate runs a new population per run instead.
            """)

    @Argument(help: "Experiment id.") var experiment: String
    @OptionGroup var flags: SimulationFlags
    @Option(help: "Runs of each kind.") var runs = 100
    @Option(help: "First seed (runs use consecutive seeds).") var seed: UInt64 = 1
    @Option(help: "The effect for the power runs, e.g. likes_per_user=+20% (default: none, A/A only).") var plantedEffect: String?
    @Flag(help: "Simulate a new population for every run (slow) instead of re-randomising the assignment of one.") var resimulate = false
    // The watched A/A measure looks as often as the simulation's watcher (--watch-interval-minutes
    // of the shared flags): a second option of the same name made every `ab calibrate` fail to parse.
    var watchIntervalMinutes: Int { flags.watchIntervalMinutes }

    func run() async throws {
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
        guard watchIntervalMinutes > 0 else { throw ValidationError("--watch-interval-minutes must be positive for ab calibrate (the watched A/A measure looks that often)") }
        QuanziDatabase.keepTemporaryFilesInMemoryFileSystem()
        let printer = ProgressPrinter()
        do {
            let effect = try plantedEffect.map { try PlantedEffect(parsing: $0) }
            let options = CalibrationOptions(base: flags.options(experiment: experiment, seed: seed), runs: runs, plantedEffect: effect, firstSeed: seed,
                                             resimulate: resimulate, watchIntervalMinutes: watchIntervalMinutes)
            let result = try await Calibration.run(options) { printer.line($0) }
            print("method: \(result.method)")
            print(String(format: "A/A: %d runs, %d users × %d days, α = %.3f; share of runs each test flags (expected ≈ α):", runs, flags.users, flags.days, result.alpha))
            for rate in result.falsePositives {
                let mark = rate.sequential ? "  [always-valid: at most α]" : ""
                print("  \(rate.test): \(rate.flagged)" + (rate.unavailable > 0 ? ", \(rate.unavailable) runs without a test" : "") + mark)
            }
            if let segments = result.segments {
                print(String(format: "segments (%@): %.1f comparisons per run; single comparisons flagged %@ (expected ≈ α); ",
                             segments.segments.joined(separator: ", "), segments.comparisonsPerRun, segments.perComparison.description)
                    + "runs with any segment result flagged: \(segments.anyUncorrected) before the correction, "
                    + "\(segments.anyCorrected) after Benjamini–Hochberg (expected ≤ α)")
            }
            if let watched = result.watched {
                print("watched A/A: each split analysed every \(watched.intervalMinutes) simulated minutes (\(watched.looks) looks) with "
                    + "sequential intervals; false stops by guardrail \(watched.guardrails.joined(separator: ", ")): \(watched.falseStops) "
                    + "(expected ≤ α); some look's interval excluded no change in \(watched.anyLookSignificant)")
            }
            if let power = result.power {
                let predicted = power.predicted.map { String(format: "%.3f", $0) } ?? "n/a"
                print("planted \(power.effect): detected in \(power.detected); the power formula predicts \(predicted)"
                    + (power.unavailable > 0 ? " (\(power.unavailable) runs without a test)" : ""))
            }
            print(String(format: "%.1f s", result.seconds))
        } catch {
            Console.error("\(error)")
            throw ExitCode(1)
        }
    }
}
