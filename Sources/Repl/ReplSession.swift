import Core
import Experiments
import Foundation
import Ledger
import LuaHost
import Service
import Social
import StorageModel

/// The REPL without a terminal: feed it lines, get text back. Lua runs in the plugin sandbox
/// with the same `quanzi.*` bindings as plugins; lines starting with `:` are commands.
/// The terminal front end (line editing, history, completion) is `ReplTerminal`.
public final class ReplSession {
    public struct Sources: Sendable {
        public var plugins: String
        public var experiments: String
        public var limits: ScriptLimits
        public init(plugins: String, experiments: String, limits: ScriptLimits = .default) {
            self.plugins = plugins
            self.experiments = experiments
            self.limits = limits
        }
    }

    public private(set) var service: QuanziService
    private var console: ScriptConsole
    private let sources: Sources
    /// Lines of an unfinished chunk, waiting for the rest.
    private var pending: [String] = []
    /// The user set by `:as`.
    public private(set) var actingUser: UserProfile?
    public private(set) var wantsToQuit = false

    public init(service: QuanziService, sources: Sources) throws {
        self.service = service
        self.sources = sources
        console = try Self.makeConsole(service)
    }

    static func makeConsole(_ service: QuanziService) throws -> ScriptConsole {
        try ScriptConsole(dataSource: service.previewDataSource, clock: service.clock, limits: service.rules.limits, keepsGlobals: true)
    }

    /// The prompt for the next line: `quanzi> `, or `   ...> ` inside an unfinished chunk.
    public var prompt: String {
        let who = actingUser.map { "quanzi(\($0.id))" } ?? "quanzi"
        return pending.isEmpty ? "\(who)> " : String(repeating: " ", count: who.count) + "..> "
    }

    /// Handles one line; returns what to print (possibly nothing).
    public func handle(_ line: String) -> String {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if pending.isEmpty && trimmed.hasPrefix(":") { return command(trimmed) }
        if pending.isEmpty && trimmed.isEmpty { return "" }
        pending.append(line)
        let chunk = pending.joined(separator: "\n")
        if console.isIncomplete(chunk) { return "" }
        pending.removeAll()
        return evaluate(chunk, chunkName: "=repl")
    }

    /// Drops an unfinished chunk (Ctrl-C).
    public func cancelPending() { pending.removeAll() }

    func evaluate(_ code: String, chunkName: String) -> String {
        do throws(ScriptError) {
            let result = try console.run(code, chunkName: chunkName)
            var text = result.output
            if result.outputTruncated { text += "(output truncated)\n" }
            text += result.values.map { ReplFormat.value($0) }.joined(separator: "\n")
            return text
        } catch {
            return error.description
        }
    }

    // MARK: Commands

    static let help = """
        Lua runs in the plugin sandbox with the quanzi.* bindings; an expression prints its value.
          :why CIRCLE ACTION USER [POST]   may USER do ACTION in CIRCLE? why not, the rule's file:line, what it read
          :as USER                         later expressions see that user as `user`
          :variant EXPERIMENT USER         variant, bucket and why (traffic, targeting, forced, stopped)
          :feed USER [CIRCLE] [--explain]  the ranked feed, optionally with each feature's contribution
          :credit USER                     score, dimensions and reasons
          :wallet USER                     balance and recent movements
          :load FILE                       run a Lua file in this session
          :reload                          re-validate and reload plugins and experiments (the old set stays if invalid)
          :circles                         circles and their rules
          :experiments                     experiments and their status
          :queue                           the review queue: held posts, oldest first, with keywords and reports
          :help, :quit
        """

    func command(_ line: String) -> String {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let name = words.first else { return "" }
        let arguments = Array(words.dropFirst())
        do {
            switch name {
            case ":help", ":h", ":?": return Self.help + "\n" + loadedSet()
            case ":quit", ":q", ":exit":
                wantsToQuit = true
                return ""
            case ":why": return try why(arguments)
            case ":as": return try actAs(arguments)
            case ":variant": return try variant(arguments)
            case ":credit": return try credit(arguments)
            case ":feed": return try feed(arguments)
            case ":wallet": return try wallet(arguments)
            case ":load": return try load(arguments)
            case ":reload": return reload()
            case ":circles": return circles()
            case ":experiments": return experimentList()
            case ":queue": return ModerationQueueText.render(try service.moderationQueue().entries, nowEpochSeconds: service.clock.nowEpochSeconds)
            default: return "unknown command \(name) (try :help)"
            }
        } catch let error as QuanziError {
            return "error: \(error.description)"
        } catch let error as UsageError {
            return "usage: \(error.usage)"
        } catch {
            return "error: \(error)"
        }
    }

    struct UsageError: Error { var usage: String }

    func user(_ text: String?) throws -> UserProfile {
        guard let text, let id = Int64(text) else { throw UsageError(usage: "a user id, e.g. 42") }
        return try QuanziError.wrapping { try service.users.require(UserID(id)) }
    }

    func why(_ arguments: [String]) throws -> String {
        guard arguments.count >= 3, let action = CircleAction(rawValue: arguments[1]) else {
            throw UsageError(usage: ":why CIRCLE ACTION USER [POST] — actions: \(CircleAction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let userID = Int64(arguments[2]) else { throw UsageError(usage: "a user id, e.g. 42") }
        var postID: Int64?
        if arguments.count >= 4 {
            guard let id = Int64(arguments[3]) else { throw UsageError(usage: ":why CIRCLE ACTION USER [POST [AMOUNT_FEN]] — POST is a post id") }
            postID = id
        }
        let amountFen = arguments.count >= 5 ? Int64(arguments[4]) : nil
        return try service.explainRule(circle: CircleID(arguments[0]), action: action, userID: UserID(userID), postID: postID, amountFen: amountFen).text
    }

    func actAs(_ arguments: [String]) throws -> String {
        let profile = try user(arguments.first)
        actingUser = profile
        console.setGlobal("user", service.scriptRecord(of: profile))
        return "now acting as \(ReplFormat.userSummary(profile)); `user` is set"
    }

    func variant(_ arguments: [String]) throws -> String {
        guard arguments.count == 2 else { throw UsageError(usage: ":variant EXPERIMENT USER") }
        let profile = try user(arguments[1])
        let assignment = try service.experiments.assign(profile, to: arguments[0])
        var text = "\(arguments[0]) user \(profile.id): \(assignment)"
        if let variant = assignment.variant, !variant.parameters.isEmpty {
            text += "\n  params: " + variant.parameters.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: ", ")
        }
        return text
    }

    func feed(_ arguments: [String]) throws -> String {
        let explain = arguments.contains("--explain")
        let positional = arguments.filter { !$0.hasPrefix("--") }
        let profile = try user(positional.first)
        let circle = CircleID(positional.count > 1 ? positional[1] : service.plugins.circles.first?.id.rawValue ?? "")
        let result = try service.feed(for: profile.id, in: circle, limit: 10, explain: explain, recordViews: false)
        return "\(circle) as seen by user \(profile.id):\n" + FeedTable.render(result, nowEpochSeconds: service.clock.nowEpochSeconds, explain: explain)
    }

    func credit(_ arguments: [String]) throws -> String {
        let profile = try user(arguments.first)
        guard let report = try service.credit.report(profile.id) else { return "no credit score for user \(profile.id) yet" }
        return ReplFormat.credit(report)
    }

    func wallet(_ arguments: [String]) throws -> String {
        let profile = try user(arguments.first)
        let balance = try service.balanceFen(of: profile.id)
        return "user \(profile.id): balance \(balance.map { "\($0) fen (\(Fen($0)))" } ?? "no wallet account")"
    }

    /// The scripts the session's service runs: one version for the set (what the service names
    /// in its `Quanzi-Scripts` header), and how to see each file's.
    func loadedSet() -> String {
        let versions = ScriptVersions(plugins: service.plugins, experiments: service.experiments.experiments)
        return "scripts: version \(versions.setVersion) (\(versions.files.count) files from \(sources.plugins) and \(sources.experiments); "
            + ":reload lists each file's version)"
    }

    func load(_ arguments: [String]) throws -> String {
        guard let path = arguments.first else { throw UsageError(usage: ":load FILE") }
        guard let data = FileManager.default.contents(atPath: path) else { return "\(path): cannot read the file" }
        let code = String(decoding: data, as: UTF8.self)
        let output = evaluate(code, chunkName: "@" + path)
        let loaded = "loaded \(path)  version \(PluginSource.version(of: code))"
        return output.isEmpty ? loaded : output + "\n" + loaded
    }

    /// Reloads the folders the way `quanzi serve` does (`QuanziService.reloadScripts`): the new
    /// set goes live only if it passes check and test and moves no live experiment's users.
    func reload() -> String {
        do {
            let before = service.servingScripts.versions
            let reload = try service.reloadScripts(
                from: ScriptFolders(plugins: sources.plugins, experiments: sources.experiments), trigger: "repl")
            console = try Self.makeConsole(service)
            if let actingUser { console.setGlobal("user", service.scriptRecord(of: actingUser)) }
            let plugins = reload.generation.plugins
            let experiments = reload.generation.experimentSet
            let after = reload.generation.versions
            return ([
                "reloaded \(plugins.circles.count) circles and \(experiments.experiments.count) experiments",
                "scripts version \(after.setVersion)",
            ] + ReplFormat.fileVersions(after, since: before)).joined(separator: "\n")
        } catch let error as ScriptReloadRefused {
            return error.problems.map(\.description).joined(separator: "\n") + "\nkept the previous plugins and experiments"
        } catch {
            return "reload failed: \(error); kept the previous plugins and experiments"
        }
    }

    func circles() -> String {
        service.plugins.circles.map { circle in
            "\(circle.id)  \(circle.title)  rules: \(CircleAction.allCases.filter { circle.ruleLocations[$0] != nil }.map(\.rawValue).joined(separator: ", "))  (\(circle.location))"
        }.joined(separator: "\n")
    }

    /// Where the service has each experiment: status, traffic served now, ramp step, exposed users
    /// per variant, the last change and the next check (as `quanzi ab list` shows them).
    func experimentList() -> String {
        let experiments = service.experiments
        let changes = (try? experiments.store.allChanges()) ?? [:]
        return experiments.experiments.experiments.flatMap { spec in
            ExperimentStatusText.lines(
                spec, lifecycle: experiments.currentLifecycle(of: spec), traffic: experiments.currentTraffic(of: spec),
                exposedPerVariant: (try? experiments.store.exposureCounts(of: spec.id, phase: spec.phase)) ?? [:],
                lastChange: changes[spec.id]?.last,
                nextCheckAtEpochSeconds: experiments.nextCheckAtEpochSeconds)
        }.joined(separator: "\n")
    }

    /// Names the completion offers: commands, `quanzi.*` functions, circles, experiments, actions.
    public var completionWords: [String] {
        let commands = [":why", ":as", ":variant", ":feed", ":credit", ":wallet", ":load", ":reload", ":circles", ":experiments", ":queue", ":help", ":quit"]
        let bindings = ScriptBinding.all.map(\.name)
        let lua = ["string.format", "string.find", "string.match", "string.gsub", "table.concat", "table.insert", "table.sort", "math.floor",
                   "math.max", "math.min", "print", "pairs", "ipairs", "tostring", "tonumber", "type", "user"]
        return commands + bindings + lua + service.plugins.circles.map(\.id.rawValue) + service.experiments.experiments.experiments.map(\.id)
            + CircleAction.allCases.map(\.rawValue)
    }
}
