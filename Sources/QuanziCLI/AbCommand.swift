import ArgumentParser
import BlockingWork
import Core
import Experiments
import Foundation
import Service

struct AbCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ab",
        abstract: "A/B experiments: assignment, QA overrides, analysis and reports.",
        subcommands: [AbList.self, AbAssign.self, AbForce.self, AbAnalyze.self, AbStop.self, AbShip.self, AbRamp.self, AbSimulate.self, AbCalibrate.self]
    )
}

struct AbList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List experiments with their status and exposures.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let service = try await options.openService()
        try await Blocking.awaited { try self.run(service) }
    }

    /// On a thread that may block (the stores are synchronous).
    func run(_ service: QuanziService) throws {
        let experiments = service.experiments
        let changes = (try? experiments.store.allChanges()) ?? [:]
        for spec in experiments.experiments.experiments {
            let exposed = (try? experiments.store.exposureCounts(of: spec.id, phase: spec.phase)) ?? [:]
            let lines = ExperimentStatusText.lines(
                spec, lifecycle: experiments.currentLifecycle(of: spec), traffic: experiments.currentTraffic(of: spec), exposedPerVariant: exposed,
                lastChange: changes[spec.id]?.last, nextCheckAtEpochSeconds: experiments.nextCheckAtEpochSeconds)
            for line in lines { print(line) }
        }
    }
}

struct AbAssign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign", abstract: "Which variant a user gets, with the bucket and why (logs nothing).")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Experiment id.") var experiment: String
    @Argument(help: "User id.") var user: Int64

    func run() async throws {
        let service = try await options.openService()
        try await Blocking.awaited { try self.run(service) }
    }

    /// On a thread that may block (the stores are synchronous).
    func run(_ service: QuanziService) throws {
        do {
            let profile = try QuanziError.wrapping { try service.users.require(UserID(user)) }
            let assignment = try service.experiments.assign(profile, to: experiment)
            print("\(experiment) user \(user): \(assignment)")
            if let variant = assignment.variant, !variant.parameters.isEmpty {
                print("params: " + variant.parameters.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: ", "))
            }
        } catch {
            Console.error(error.description)
            throw ExitCode(1)
        }
    }
}

struct AbForce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "force", abstract: "Force a user into a variant for QA (excluded from analysis).")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Experiment id.") var experiment: String
    @Argument(help: "User id.") var user: Int64
    @Argument(help: "Variant name.") var variant: String

    func run() async throws {
        let service = try await options.openService()
        try await Blocking.awaited { try self.run(service) }
    }

    /// On a thread that may block (the stores are synchronous).
    func run(_ service: QuanziService) throws {
        do {
            _ = try QuanziError.wrapping { try service.users.require(UserID(user)) }
            try service.experiments.force(UserID(user), into: variant, experiment: experiment)
            print("user \(user) now sees '\(variant)' in \(experiment) (excluded from analysis)")
        } catch {
            Console.error(error.description)
            throw ExitCode(1)
        }
    }
}

struct AbAnalyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyse an experiment from the events and write report.json and report.html.",
        discussion: """
            A running experiment whose guardrail is significantly violated is stopped, as the service would. \
            Only the experiment's current phase counts: its exposures, and each user's events from their exposure \
            in it on. The report lists the versions of the experiment's file and of the circle plugins the users \
            were first exposed under, and says when there is more than one; --by-version adds the same analysis per \
            combination of versions (a user exposed under several counts under the first). On PostgreSQL it warns \
            when the nodes that served the experiment disagreed: two nodes served different versions of its file, \
            or of a circle plugin that exposed its users, at the same time (their records of what they served), or \
            exposed users under different versions of the experiment in overlapping time (the exposures).
            """
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Experiment id.") var experiment: String
    @Option(help: "Folder for report.json and report.html.") var out = "var/reports"
    @Flag(help: "Report only; never stop the experiment.") var dryRun = false
    @Flag(help: "Also analyse each combination of experiment and plugin versions apart.") var byVersion = false

    func run() async throws {
        let service = try await options.openService()
        try await Blocking.awaited { try self.run(service) }
    }

    /// On a thread that may block (the stores are synchronous).
    func run(_ service: QuanziService) throws {
        do {
            let report = try service.experiments.analyze(experiment, now: service.clock.nowEpochSeconds, applyGuardrails: !dryRun,
                                                         byVersion: byVersion, checkNodes: true, segments: true)
            let folder = (out as NSString).appendingPathComponent(experiment)
            let paths = try ReportWriter.write(report, to: folder)
            for disagreement in report.nodeDisagreements { Console.warning(disagreement.description) }
            print(report.summary)
            for section in report.versionSections {
                print("\(section.version) (\(section.report.variants.map(\.users).reduce(0, +)) users): \(section.report.summary)")
            }
            print("wrote \(paths.json) and \(paths.html)")
        } catch let error as QuanziError {
            Console.error(error.description)
            throw ExitCode(1)
        }
    }
}

struct AbStop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop an experiment: everyone gets control.")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Experiment id.") var experiment: String
    @Option(help: "Why, for the record.") var reason = "stopped by an operator"

    func run() async throws {
        let service = try await options.openService()
        try await Blocking.awaited { try self.run(service) }
    }

    /// On a thread that may block (the stores are synchronous).
    func run(_ service: QuanziService) throws {
        do {
            try service.experiments.stop(experiment, personReason: reason)
            print("\(experiment) stopped: \(reason)")
        } catch {
            Console.error(error.description)
            throw ExitCode(1)
        }
    }
}

struct AbRamp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ramp",
        abstract: "Steer a running ramp by hand: advance it to its next step now, hold it at its step, or release a hold.",
        discussion: "A held ramp stays at its step whatever the watcher finds, except a violated guardrail, which still stops the experiment.")

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case advance, hold, release
    }

    @OptionGroup var options: GlobalOptions
    @Argument(help: "advance, hold or release.") var action: Action
    @Argument(help: "Experiment id.") var experiment: String
    @Option(help: "Why, for the record.") var reason: String?

    func run() async throws {
        let service = try await options.openService()
        try await Blocking.awaited { try self.run(service) }
    }

    /// On a thread that may block (the stores are synchronous).
    func run(_ service: QuanziService) throws {
        let reason = self.reason ?? "\(action.rawValue) by an operator"
        do {
            let change = switch action {
            case .advance: try service.experiments.advance(experiment, personReason: reason)
            case .hold: try service.experiments.hold(experiment, personReason: reason)
            case .release: try service.experiments.release(experiment, personReason: reason)
            }
            print("\(experiment) \(ExperimentStatusText.describe(change))")
        } catch {
            Console.error(error.description)
            throw ExitCode(1)
        }
    }
}

struct AbShip: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ship", abstract: "Ship a variant: every targeted user gets its params from now on, and nothing more is exposed.")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Experiment id.") var experiment: String
    @Argument(help: "The variant to ship.") var variant: String
    @Option(help: "Why, for the record.") var reason = "shipped by an operator"

    func run() async throws {
        let service = try await options.openService()
        try await Blocking.awaited { try self.run(service) }
    }

    /// On a thread that may block (the stores are synchronous).
    func run(_ service: QuanziService) throws {
        do {
            let change = try service.experiments.ship(experiment, variant: variant, personReason: reason)
            print("\(experiment) \(ExperimentStatusText.describe(change))")
        } catch {
            Console.error(error.description)
            throw ExitCode(1)
        }
    }
}
