import BlockingWork
import Core
import Experiments
import Foundation
import Hummingbird
import Logging
import LuaHost
import Service
import Social
import StorageModel

/// `/console`: the web pages where admins watch and steer experiments and circles, served by
/// `quanzi serve` itself. Server-rendered HTML (``ConsoleTemplates``), readable without
/// JavaScript; every action goes through the same service calls as the API and the CLI.
///
/// Log in: an admin pastes an API token once (``ConsoleSessions``). Every form carries the
/// session's CSRF token; every value from users and plugins is escaped by the templates.
struct ConsoleController {
    let service: QuanziService
    let authenticator: TokenAuthenticator
    let sessions: ConsoleSessions
    let metrics: ServerMetrics
    /// The list's analyses, kept a short while (see ``ConsoleReports``).
    let reports = ConsoleReports()
    /// Logins, refusals and log-outs, for the operators' record.
    let logger = Logger(label: "quanzi.console")

    /// A form body larger than this is refused unread (the largest form is a reason of 500 bytes).
    static let formBytesMax = 16 * 1024

    func addRoutes(to router: Router<QuanziRequestContext>) {
        let console = router.group("console").add(middleware: ConsoleHeadersMiddleware())
        console.get("login", use: loginPage)
        console.post("login", use: login)
        let signedIn = console.group().add(middleware: ConsoleSessionMiddleware(sessions: sessions, authenticator: authenticator))
        signedIn.get(use: experimentsPage)
        signedIn.post("logout", use: logout)
        signedIn.get("experiments/:id", use: experimentPage)
        signedIn.post("experiments/:id/stop", use: stop)
        signedIn.post("experiments/:id/ship", use: ship)
        signedIn.post("experiments/:id/force", use: force)
        signedIn.post("experiments/:id/ramp", use: ramp)
        signedIn.get("circles", use: circlesPage)
        signedIn.get("circles/:id", use: circlePage)
        signedIn.get("why", use: whyPage)
        signedIn.get("health", use: healthPage)
        signedIn.get("live.json", use: live)
        console.get("live.js", use: liveScript)
        signedIn.post("health/verify", use: verifyLedger)
    }

    // MARK: log in and out

    @Sendable func loginPage(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        if let value = request.cookies[ConsoleSessions.cookieName]?.value, sessions.session(cookieValue: value) != nil {
            return Self.redirect(to: "/console")
        }
        return loginForm(flash: request.uri.queryParameters["out"] != nil ? "You are logged out." : nil)
    }

    @Sendable func login(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let form = try await Self.readForm(request)
        let expected = request.cookies[ConsoleSessions.loginCookieName]?.value ?? ""
        guard !expected.isEmpty, ConsoleSessions.tokensMatch(form["csrf"], expected) else {
            return loginForm(status: .forbidden, error: ("csrf_failed", "the login form expired or came from another site; try again"))
        }
        let token = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, token.utf8.count <= AuthMiddleware.authorizationBytesMax else {
            return loginForm(status: .unauthorized, error: ("unauthorized", "paste an admin API token"))
        }
        let record: APIToken
        do {
            record = try await authenticator.authenticate(token)
        } catch let error as APIError {
            return loginForm(status: error.status, error: (error.code, error.message))
        }
        guard record.isAdmin else {
            logger.notice("console login refused: not an admin token", metadata: ["user": "\(record.userID)"])
            return loginForm(status: .forbidden, error: ("admin_required", "the console needs an admin token; this one is user \(record.userID)'s"))
        }
        let (cookieValue, _) = sessions.open(userID: record.userID, tokenDigest: TokenIssuer.digest(of: token))
        logger.notice("console login", metadata: ["user": "\(record.userID)", "token_id": "\(record.id)"])
        var response = Self.redirect(to: "/console")
        response.setCookie(Self.sessionCookie(cookieValue, maxAge: Int(ConsoleSessions.lifetimeSeconds)))
        response.setCookie(Self.loginCookie("", maxAge: 0))
        return response
    }

    @Sendable func logout(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        _ = try await Self.readForm(request, session: session)
        if let value = request.cookies[ConsoleSessions.cookieName]?.value { sessions.close(cookieValue: value) }
        logger.notice("console logout", metadata: ["user": "\(session.userID)"])
        var response = Self.redirect(to: "/console/login?out=1")
        response.setCookie(Self.sessionCookie("", maxAge: 0))
        return response
    }

    private func loginForm(status: HTTPResponse.Status = .ok, flash: String? = nil, error: (String, String)? = nil) -> Response {
        let csrf = ConsoleSessions.randomToken()
        let content = ConsoleTemplates.render("login", ["csrf": csrf, "hours": ConsoleSessions.lifetimeSeconds / 3600])
        var response = Self.page(status: status, title: "Log in", content: content, session: nil, flash: flash, error: error)
        response.setCookie(Self.loginCookie(csrf, maxAge: 3600))
        return response
    }

    // MARK: experiments

    @Sendable func experimentsPage(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let content = try await Blocking.run {
            let experiments = service.experiments
            let now = service.clock.nowEpochSeconds
            let nodes = try nodeVersions()
            let rows: [[String: Any]] = try experiments.experiments.experiments.map { spec in
                var row = try experimentSummary(spec, nodes: nodes)
                let revision = experiments.currentLifecycle(of: spec).revision
                let report = try reports.report(of: spec.id, revision: revision, now: now) {
                    try experiments.analyze(spec.id, now: now, applyGuardrails: false)
                }
                row["analysedAt"] = Self.time(report.analyzedAtEpochSeconds)
                if let primary = report.metrics.first(where: { $0.role == .primary }), let comparison = primary.comparisons.first {
                    row["primary"] = Self.liftValues(metric: primary.id, comparison)
                }
                row["guardrails"] = report.guardrails.map { guardrail -> [String: Any] in
                    ["metric": guardrail.metric, "verdict": guardrail.verdict.rawValue,
                     "tone": guardrail.verdict == .violated ? "bad" : guardrail.verdict == .ok ? "ok" : "warn"]
                }
                return row
            }
            var values: [String: Any] = ["experiments": rows, "count": rows.count, "now": Self.time(now)]
            if let next = experiments.nextCheckAtEpochSeconds { values["nextCheck"] = Self.time(next) }
            return ConsoleTemplates.render("experiments", values)
        }
        return Self.page(title: "Experiments", content: content, session: session,
                         flash: Self.doneMessage(request))
    }

    /// The figures the console's script refreshes without reloading the page: each experiment's
    /// status, ramp and exposed users.
    @Sendable func live(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        _ = try context.requireConsoleSession()
        let body = try await Blocking.run {
            let experiments = service.experiments
            let rows: [ConsoleLive.Experiment] = try experiments.experiments.experiments.map { spec in
                let lifecycle = experiments.currentLifecycle(of: spec)
                let exposed = try QuanziError.wrapping { try experiments.store.exposureCounts(of: spec.id, phase: spec.phase) }
                return ConsoleLive.Experiment(
                    id: spec.id, status: lifecycle.status.rawValue,
                    ramp: Self.rampText(spec, lifecycle: lifecycle, traffic: experiments.currentTraffic(of: spec)),
                    exposed: Dictionary(uniqueKeysWithValues: spec.variants.map { ($0.name, exposed[$0.name] ?? 0) }))
            }
            return try APIJSON.encoder.encode(ConsoleLive(at: service.clock.nowEpochSeconds, experiments: rows))
        }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The console's only script: refreshes the figures marked `data-live` every
    /// ``ConsoleLive/refreshSeconds`` seconds. The pages work without it.
    @Sendable func liveScript(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: ConsoleLive.script)))
    }

    @Sendable func experimentPage(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let spec = try requireSpec(context)
        return try await experimentResponse(spec, session: session, flash: Self.doneMessage(request))
    }

    private func experimentResponse(_ spec: ExperimentSpec, session: ConsoleSessions.Session, status: HTTPResponse.Status = .ok,
                                    flash: String? = nil, error: (String, String)? = nil) async throws -> Response {
        let content = try await Blocking.run {
            let experiments = service.experiments
            var values = try experimentSummary(spec, nodes: try nodeVersions())
            let lifecycle = experiments.currentLifecycle(of: spec)
            values["csrf"] = session.csrfToken
            values["variants"] = spec.variants.map(\.name)
            values["canStop"] = lifecycle.status == .running
            values["canShip"] = lifecycle.status == .running || lifecycle.status == .stopped
            if lifecycle.status == .running {
                var ramp: [String: Any] = ["held": lifecycle.held]
                if lifecycle.step + 1 < spec.ramp.count {
                    ramp["next"] = "step \(lifecycle.step + 2) of \(spec.ramp.count), \(ExperimentStatusText.percent(spec.traffic(atStep: lifecycle.step + 1)))"
                }
                values["rampActions"] = ramp
            }
            if let next = experiments.nextCheckAtEpochSeconds { values["nextCheck"] = Self.time(next) }
            values["timeline"] = try timeline(spec)
            let report = try experiments.analyze(spec.id, now: service.clock.nowEpochSeconds, applyGuardrails: false, segments: true)
            values["report"] = ReportHTML.body(report)
            return ConsoleTemplates.render("experiment", values)
        }
        return Self.page(status: status, title: spec.id, content: content, session: session,
                         flash: flash, error: error, reportStyle: true)
    }

    @Sendable func stop(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let spec = try requireSpec(context)
        let form = try await Self.readForm(request, session: session)
        return try await act(on: spec, session: session, form: form, done: .stopped) { reason in
            try service.experiments.stop(spec.id, personReason: reason, actor: Self.actor(session))
        }
    }

    @Sendable func ship(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let spec = try requireSpec(context)
        let form = try await Self.readForm(request, session: session)
        let variant = form["variant"] ?? ""
        return try await act(on: spec, session: session, form: form, done: .shipped) { reason in
            _ = try service.experiments.ship(spec.id, variant: variant, personReason: reason, actor: Self.actor(session))
        }
    }

    @Sendable func force(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let spec = try requireSpec(context)
        let form = try await Self.readForm(request, session: session)
        let variant = form["variant"] ?? ""
        let userText = form["user"] ?? ""
        return try await act(on: spec, session: session, form: form, done: .forced) { reason in
            guard let id = Int64(userText), id > 0 else { throw QuanziError(.invalidArgument, "the user id must be a positive whole number, not '\(userText)'") }
            _ = try QuanziError.wrapping { try service.users.require(UserID(id)) }
            try service.experiments.force(UserID(id), into: variant, experiment: spec.id, personReason: reason, actor: Self.actor(session))
        }
    }

    /// Advances, holds or releases the ramp (`action` in the form).
    @Sendable func ramp(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let spec = try requireSpec(context)
        let form = try await Self.readForm(request, session: session)
        let action = form["action"] ?? ""
        let done: Done = switch action {
        case "advance": .advanced
        case "hold": .held
        default: .released
        }
        return try await act(on: spec, session: session, form: form, done: done) { reason in
            let experiments = service.experiments, actor = Self.actor(session)
            switch action {
            case "advance": try experiments.advance(spec.id, personReason: reason, actor: actor)
            case "hold": try experiments.hold(spec.id, personReason: reason, actor: actor)
            case "release": try experiments.release(spec.id, personReason: reason, actor: actor)
            default: throw QuanziError(.invalidArgument, "the ramp action must be advance, hold or release, not '\(action)'")
            }
        }
    }

    /// What a redirect after an action says it did: a fixed word, never text from the URL (a
    /// crafted link must not put words on an admin's page).
    enum Done: String {
        case stopped, shipped, forced, advanced, held, released

        var message: String {
            switch self {
            case .stopped: "Stopped: everyone gets control from now on."
            case .shipped: "Shipped: every targeted user gets the variant from now on."
            case .forced: "Forced: the user gets the variant and is left out of analysis."
            case .advanced: "Advanced the ramp to its next step."
            case .held: "Held the ramp at its step."
            case .released: "Released the ramp's hold."
            }
        }
    }

    static func doneMessage(_ request: Request) -> String? {
        request.uri.queryParameters["done"].flatMap { Done(rawValue: String($0)) }?.message
    }

    /// Runs a person's action after checking its reason and confirmation; on success redirects
    /// to the experiment (303, so a reload does not repeat it), else shows the page with the error.
    private func act(on spec: ExperimentSpec, session: ConsoleSessions.Session, form: [String: String], done: Done,
                     _ action: @escaping @Sendable (String) throws -> Void) async throws -> Response {
        let reason = (form["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let failure: QuanziError?
        if form["confirm"] != "yes" {
            failure = QuanziError(.invalidArgument, "tick the box to confirm: nothing was changed")
        } else if reason.isEmpty {
            failure = QuanziError(.invalidArgument, "give a reason: it is recorded with the change")
        } else {
            do {
                try await Blocking.commit { try action(reason) }
                failure = nil
            } catch let error as QuanziError {
                failure = error
            }
        }
        guard let failure else {
            return Self.redirect(to: "/console/experiments/\(Self.pathSegment(spec.id))?done=\(done.rawValue)")
        }
        return try await experimentResponse(spec, session: session, status: APIError(failure).status, error: (failure.code.rawValue, failure.message))
    }

    /// Status, ramp, exposed users and versions of one experiment: the list's row and the page's header.
    /// `nodes`: ``nodeVersions()``, read once per page.
    private func experimentSummary(_ spec: ExperimentSpec, nodes: [String: [[String: Any]]]) throws -> [String: Any] {
        let experiments = service.experiments
        let lifecycle = experiments.currentLifecycle(of: spec)
        let exposed = try QuanziError.wrapping { try experiments.store.exposureCounts(of: spec.id, phase: spec.phase) }
        var row: [String: Any] = [
            "id": spec.id, "status": lifecycle.status.rawValue,
            "ramp": Self.rampText(spec, lifecycle: lifecycle, traffic: experiments.currentTraffic(of: spec)),
            "exposed": spec.variants.map { ["name": $0.name, "users": exposed[$0.name] ?? 0] as [String: Any] },
            "version": experiments.servedVersion(of: spec.id) ?? "—",
        ]
        if let path = experimentFilePath(spec), let versions = nodes[path] { row["nodeVersions"] = versions }
        if let title = spec.title { row["title"] = title }
        if let look = experiments.lastLook(of: spec.id) {
            row["lastLook"] = "\(Self.time(look.atEpochSeconds)) (\(look.outcome.rawValue)\(look.decision.map { ": \($0.reason)" } ?? ""))"
        } else {
            row["lastLook"] = "none on this node yet"
        }
        return row
    }

    private func timeline(_ spec: ExperimentSpec) throws -> [[String: Any]] {
        let changes = try service.experiments.changes(of: spec.id)
        var rows: [(at: Int64, row: [String: Any])] = changes.map { change in
            (change.atEpochSeconds, [
                "at": Self.time(change.atEpochSeconds), "what": ExperimentStatusText.describe(change), "who": change.actor,
                "why": change.reason, "evidence": change.evidence, "hasEvidence": !change.evidence.isEmpty,
            ])
        }
        for forced in try QuanziError.wrapping({ try service.experiments.store.forcedUsers(of: spec.id) }) {
            rows.append((forced.atEpochSeconds, [
                "at": Self.time(forced.atEpochSeconds), "what": "forced user \(forced.userID) into \(forced.variant) (QA; left out of analysis)",
                "who": forced.actor ?? "unknown", "why": forced.reason ?? "", "evidence": [String](), "hasEvidence": false,
            ]))
        }
        let scripts = service.scripts
        if let log = service.storage.nodeScriptVersions, let path = experimentFilePath(spec) {
            // Every node's loads of the file, from the database several nodes share.
            let now = service.clock.nowEpochSeconds
            for served in try QuanziError.wrapping({ try log.servedFiles(from: 0, until: now + 1) }) where served.file.path == path {
                rows.append((served.servedFromEpochSeconds, [
                    "at": Self.time(served.servedFromEpochSeconds), "what": "began serving \(Self.fileName(path)) version \(served.file.version)",
                    "who": served.node, "why": "", "evidence": [String](), "hasEvidence": false,
                ]))
                if let until = served.servedUntilEpochSeconds {
                    rows.append((until, [
                        "at": Self.time(until), "what": "stopped serving version \(served.file.version)", "who": served.node, "why": "",
                        "evidence": [String](), "hasEvidence": false,
                    ]))
                }
            }
        } else if let file = scripts.versions.files.first(where: { $0.folder == .experiments && scripts.experimentVersion(of: spec.id) == $0.version }) {
            let loadedAt = scripts.fileLoadedAtEpochSeconds[file.path] ?? scripts.loadedAtEpochSeconds
            rows.append((loadedAt, [
                "at": Self.time(loadedAt), "what": "loaded \(file.name) version \(file.version) (scripts generation \(scripts.number))",
                "who": service.nodeID ?? "this node", "why": "", "evidence": [String](), "hasEvidence": false,
            ]))
        }
        return rows.sorted { $0.at < $1.at }.map(\.row)
    }

    /// The path of the file `spec` is served from here.
    private func experimentFilePath(_ spec: ExperimentSpec) -> String? {
        let scripts = service.scripts
        guard let version = scripts.experimentVersion(of: spec.id) else { return nil }
        return scripts.versions.files.first { $0.folder == .experiments && $0.version == version }?.path
    }

    static func fileName(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }

    private func requireSpec(_ context: QuanziRequestContext) throws -> ExperimentSpec {
        let id = context.parameters.get("id") ?? ""
        guard let spec = service.experiments.experiments.experiment(id) else {
            throw QuanziError(.experimentNotFound, "no experiment '\(id)'")
        }
        return spec
    }

    // MARK: circles and why

    @Sendable func circlesPage(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let content = try await Blocking.run {
            let scripts = service.scripts
            let outcomes = RuleTestRunner.run(testEngine(scripts))
            let nodes = try nodeVersions()
            let circles: [[String: Any]] = scripts.plugins.circles.map { circle in
                let tests = outcomes.filter { $0.location.file == circle.location.file }
                var row = circleValues(circle, scripts: scripts, tests: tests)
                row["nodes"] = nodes[circle.location.file] ?? [["node": service.nodeID ?? "this node", "version": scripts.pluginVersion(ofCircle: circle.id) ?? "—"]]
                return row
            }
            return ConsoleTemplates.render("circles", ["circles": circles, "whyForm": whyForm(user: nil, action: nil, circle: nil, post: nil)])
        }
        return Self.page(title: "Circles", content: content, session: session)
    }

    @Sendable func circlePage(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let id = CircleID(context.parameters.get("id") ?? "")
        let scripts = service.scripts
        guard let circle = scripts.plugins.circle(id) else { throw QuanziError(.circleNotFound, "no circle '\(id)'") }
        let content = try await Blocking.run {
            let tests = RuleTestRunner.run(testEngine(scripts)).filter { $0.location.file == circle.location.file }
            var values = circleValues(circle, scripts: scripts, tests: tests)
            values["audience"] = circle.audience.rawValue
            values["version"] = scripts.pluginVersion(ofCircle: circle.id) ?? "—"
            values["tests"] = tests.map { outcome -> [String: Any] in
                var test: [String: Any] = ["verdict": outcome.passed ? "passed" : "FAILED", "title": outcome.title,
                                           "location": outcome.location.description, "tone": outcome.passed ? "ok" : "bad"]
                if let failure = outcome.failure { test["failure"] = failure }
                return test
            }
            let source = scripts.plugins.sources.first { $0.path == circle.location.file }
            let ruleLines = Set(circle.ruleLocations.values.map(\.line))
            values["lines"] = (source?.code ?? "").split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, line in
                ["number": index + 1, "text": String(line), "hit": ruleLines.contains(index + 1)] as [String: Any]
            }
            return ConsoleTemplates.render("circle", values)
        }
        return Self.page(title: circle.id.rawValue, content: content, session: session)
    }

    @Sendable func whyPage(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let query = request.uri.queryParameters
        let userText = query["user"].map(String.init), actionText = query["action"].map(String.init)
        let circleText = query["circle"].map(String.init), postText = query["post"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let form = whyForm(user: userText, action: actionText, circle: circleText, post: postText)
        do {
            guard let userText, let userID = Int64(userText), userID > 0 else {
                throw QuanziError(.invalidArgument, "the user id must be a positive whole number, not '\(userText ?? "")'")
            }
            guard let actionText, let action = CircleAction(rawValue: actionText) else {
                throw QuanziError(.invalidArgument, "the action must be one of \(CircleAction.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let circle = CircleID(circleText ?? "")
            guard service.plugins.circle(circle) != nil else { throw QuanziError(.circleNotFound, "no circle '\(circle)'") }
            var postNumber: Int64?
            if let postText {
                guard let id = Int64(postText), id > 0 else { throw QuanziError(.invalidArgument, "the post id must be a positive whole number, not '\(postText)'") }
                postNumber = id
            }
            let postID = postNumber
            let explanation = try await Blocking.run { () throws(QuanziError) in
                try service.explainRule(circle: circle, action: action, userID: UserID(userID), postID: postID)
            }
            let values: [String: Any] = ["answer": whyAnswer(explanation), "whyForm": form]
            return Self.page(title: "Why?", content: ConsoleTemplates.render("why", values), session: session)
        } catch let error as QuanziError {
            return Self.page(status: APIError(error).status, title: "Why?", content: ConsoleTemplates.render("why", ["whyForm": form]),
                             session: session, error: (error.code.rawValue, error.message))
        }
    }

    private func whyAnswer(_ explanation: RuleExplanation) -> [String: Any] {
        var answer: [String: Any] = [
            "verdict": explanation.verdict, "tone": explanation.allowed ? "ok" : "bad", "blocked": explanation.blockedByCore,
            "reads": explanation.reads, "hasReads": !explanation.reads.isEmpty, "circle": explanation.circle.rawValue,
        ]
        if let location = explanation.location {
            answer["location"] = location.description
            answer["line"] = location.line
            // The rule function's own text (Lua's linedefined…lastlinedefined), numbered from its line.
            if let text = service.plugins.ruleTexts[explanation.circle]?[explanation.action], !text.isEmpty {
                let excerpt = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(Self.ruleExcerptLinesMax).enumerated().map {
                    ["number": location.line + $0.offset, "text": String($0.element)] as [String: Any]
                }
                answer["ruleSource"] = excerpt
                answer["hasRuleSource"] = true
            }
        }
        if let post = explanation.post {
            answer["post"] = true
            answer["postID"] = post.id
            answer["postAuthor"] = post.authorID.rawValue
            answer["postText"] = post.body
        }
        return answer
    }

    /// The most lines of a rule's source the why page shows.
    static let ruleExcerptLinesMax = 30

    private func whyForm(user: String?, action: String?, circle: String?, post: String?) -> String {
        ConsoleTemplates.render("whyForm", [
            "user": user ?? "", "post": post ?? "",
            "actions": CircleAction.allCases.map { ["name": $0.rawValue, "selected": $0.rawValue == action] as [String: Any] },
            "circleIDs": service.plugins.circles.map { ["name": $0.id.rawValue, "selected": $0.id.rawValue == circle] as [String: Any] },
        ])
    }

    private func circleValues(_ circle: CircleDefinition, scripts: ScriptGeneration, tests: [LuaTestOutcome]) -> [String: Any] {
        let failed = tests.filter { !$0.passed }.count
        return [
            "id": circle.id.rawValue, "title": circle.title, "file": circle.location.file,
            "rules": circle.ruleLocations.sorted { $0.value.line < $1.value.line }.map { ["action": $0.key.rawValue, "line": $0.value.line, "file": $0.value.file] as [String: Any] },
            "testsSummary": tests.isEmpty ? "no tests" : "\(tests.count - failed) passed, \(failed) failed",
            "testsTone": tests.isEmpty ? "warn" : failed == 0 ? "ok" : "bad",
        ]
    }

    /// The plugins' own Lua test cases run as `quanzi test` runs them: against no stored data.
    private func testEngine(_ scripts: ScriptGeneration) -> RuleEngine {
        RuleEngine(plugins: scripts.plugins, dataSource: EmptyDataSource(), limits: scripts.rules.limits)
    }

    /// The version each node serves of each file, by path (PostgreSQL; nil entries on SQLite).
    private func nodeVersions() throws -> [String: [[String: Any]]] {
        guard let log = service.storage.nodeScriptVersions else { return [:] }
        let now = service.clock.nowEpochSeconds
        let served = try QuanziError.wrapping { try log.servedFiles(from: now, until: now + 1) }
        var byPath: [String: [[String: Any]]] = [:]
        for file in served where file.servedUntilEpochSeconds == nil {
            byPath[file.file.path, default: []].append(["node": file.node, "version": file.file.version])
        }
        return byPath
    }

    // MARK: health

    @Sendable func healthPage(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        return await healthResponse(session: session, ledger: nil)
    }

    @Sendable func verifyLedger(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        _ = try await Self.readForm(request, session: session)
        let report = try await service.wallet.verify()
        let ledger: [String: Any] = [
            "headline": report.isConsistent ? "ledger verify: consistent" : "ledger verify: \(report.problems.count) problem(s)",
            "tone": report.isConsistent ? "ok" : "bad",
            "lines": [report.summary] + report.problems.prefix(Self.ledgerProblemsShownMax).map { "\($0)" },
        ]
        return await healthResponse(session: session, ledger: ledger)
    }

    /// Nodes whose last heartbeat is older than this are not listed on the health page.
    static let nodesShownSinceSeconds: Int64 = 86_400

    /// The most ledger problems the health page lists (`quanzi ledger verify` lists them all).
    static let ledgerProblemsShownMax = 50

    private func healthResponse(session: ConsoleSessions.Session, ledger: [String: Any]?) async -> Response {
        let scripts = service.scripts
        let exposition = await metrics.render(
            wallet: service.wallet, views: service.views, feedMemory: service.feedMemory, experiments: service.experiments,
            scripts: service.servingScripts, moderation: { [service] in try service.moderationSummary() },
            nowEpochSeconds: service.clock.nowEpochSeconds)
        var values: [String: Any] = [
            "csrf": session.csrfToken, "node": service.nodeID.map { "node \($0)" } ?? "one node (SQLite)", "setVersion": scripts.versions.setVersion,
            "generation": scripts.number, "loadedAt": Self.time(scripts.loadedAtEpochSeconds), "sessions": sessions.liveCount,
            "figures": metrics.consoleFigures(exposition).sorted { $0.name < $1.name }.map { ["key": $0.key, "name": $0.name, "value": $0.value] as [String: Any] },
        ]
        if let ledger { values["ledger"] = ledger }
        // Every node that shares the database, by its latest heartbeat (PostgreSQL).
        if let log = service.storage.nodeScriptVersions {
            let now = service.clock.nowEpochSeconds
            let served = (try? await Blocking.run { try log.servedFiles(from: now - Self.nodesShownSinceSeconds, until: now + 1) }) ?? []
            let lastSeen = Dictionary(served.map { ($0.node, $0.seenAtEpochSeconds) }, uniquingKeysWith: max)
            values["nodes"] = lastSeen.sorted { $0.key < $1.key }.map { node, seen -> [String: Any] in
                ["node": node, "seen": Self.time(seen), "ago": "\(max(0, now - seen)) s ago", "thisNode": node == service.nodeID]
            }
            values["hasNodes"] = !lastSeen.isEmpty
        }
        if let follower = service.following {
            let statistics = follower.currentStatistics
            values["followers"] = [[
                "node": service.nodeID ?? "this node",
                "lag": String(format: "%.3f s (largest %.3f s, %d events applied)", statistics.lastLagSeconds, statistics.maxLagSeconds, statistics.eventsApplied),
            ] as [String: Any]]
            values["hasFollowers"] = true
        } else {
            values["hasFollowers"] = false
        }
        return Self.page(title: "Health", content: ConsoleTemplates.render("health", values), session: session)
    }
}
