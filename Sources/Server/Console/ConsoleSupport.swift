import Core
import Experiments
import Foundation
import Hummingbird
import Service
import StorageModel

/// Security headers on every console response: no caching of admin pages, no framing, no
/// scripts but the console's own file, forms only back to this origin.
struct ConsoleHeadersMiddleware: RouterMiddleware {
    typealias Context = QuanziRequestContext

    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // A person reads these: the API's error (its status and stable code) as a page.
            let apiError = APIError(error)
            let content = ConsoleTemplates.render("message", [
                "heading": "\(apiError.status.code) \(apiError.status.reasonPhrase)", "text": "\(apiError.code): \(apiError.message)",
                "link": ["href": "/console", "label": "Back to the console"],
            ])
            response = ConsoleController.page(status: apiError.status, title: apiError.code, content: content, session: context.consoleSession)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.cacheControl] = "no-store"
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        return response
    }
}

/// Lets a request through only with a live console session whose API token is still a live
/// admin token (checked on every request, so revoking the token ends the session); sends
/// everyone else to the login page.
struct ConsoleSessionMiddleware: RouterMiddleware {
    typealias Context = QuanziRequestContext
    let sessions: ConsoleSessions
    let authenticator: TokenAuthenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let value = request.cookies[ConsoleSessions.cookieName]?.value, let session = sessions.session(cookieValue: value) else {
            return ConsoleController.redirect(to: "/console/login")
        }
        let record: APIToken
        do {
            record = try await authenticator.authenticate(digest: session.tokenDigest)
        } catch is APIError {
            sessions.closeAll(tokenDigest: session.tokenDigest)
            return ConsoleController.redirect(to: "/console/login")
        }
        guard record.isAdmin else {
            sessions.closeAll(tokenDigest: session.tokenDigest)
            return ConsoleController.redirect(to: "/console/login")
        }
        var context = context
        context.caller = Caller(userID: record.userID, isAdmin: true, isModerator: record.isModerator, tokenID: record.id)
        context.consoleSession = session
        return try await next(request, context)
    }
}

extension QuanziRequestContext {
    func requireConsoleSession() throws -> ConsoleSessions.Session {
        guard let consoleSession else { throw APIError.unauthorized("log in to the console") }
        return consoleSession
    }
}

extension ConsoleController {
    /// Who the timeline and the log name for a console action: the same as an API call's.
    static func actor(_ session: ConsoleSessions.Session) -> String { "admin:\(session.userID)" }

    static func page(
        status: HTTPResponse.Status = .ok, title: String, content: String, session: ConsoleSessions.Session?, flash: String? = nil,
        error: (String, String)? = nil, reportStyle: Bool = false
    ) -> Response {
        var values: [String: Any] = ["title": title, "content": content, "style": ConsoleTemplates.style]
        if let session {
            values["signedIn"] = true
            values["csrf"] = session.csrfToken
            values["userID"] = session.userID.rawValue
        }
        if let flash { values["flash"] = flash }
        if let (code, message) = error { values["error"] = ["code": code, "message": message] }
        if reportStyle { values["reportStyle"] = scopedReportStyles }
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: ConsoleTemplates.render("layout", values))))
    }

    /// report.html's stylesheet confined to the report's part of the page (`body` becomes the
    /// report's box; every other selector is prefixed with `.report`).
    static let scopedReportStyles: String = {
        ReportHTML.styles.split(separator: "}").compactMap { rule -> String? in
            let parts = rule.split(separator: "{", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let selectors = parts[0].split(separator: ",").map { selector -> String in
                let trimmed = selector.trimmingCharacters(in: .whitespacesAndNewlines)
                return trimmed == "body" ? ".report" : ".report " + trimmed
            }
            let declarations = parts[0].trimmingCharacters(in: .whitespacesAndNewlines) == "body" ? "" : String(parts[1])
            return declarations.isEmpty ? nil : selectors.joined(separator: ",") + "{" + declarations + "}"
        }.joined(separator: "\n")
    }()

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .contentType: "text/plain; charset=utf-8"])
    }

    static func sessionCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(name: ConsoleSessions.cookieName, value: value, maxAge: maxAge, path: "/console", httpOnly: true, sameSite: .strict)
    }

    static func loginCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(name: ConsoleSessions.loginCookieName, value: value, maxAge: maxAge, path: "/console/login", httpOnly: true, sameSite: .strict)
    }

    /// The form body as fields (the last value of a repeated name wins); refused past
    /// ``formBytesMax`` or when it is not a form. With a session, its CSRF token must be in the form.
    static func readForm(_ request: Request, session: ConsoleSessions.Session? = nil) async throws -> [String: String] {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard mediaType == "application/x-www-form-urlencoded" else { throw APIError.unsupportedMediaType(request.headers[.contentType]) }
        let buffer = try await request.body.collect(upTo: formBytesMax)
        let fields: [String: String]
        do {
            fields = try URLEncodedFormDecoder().decode([String: String].self, from: String(buffer: buffer))
        } catch {
            throw APIError.invalidRequest("the form is not a flat application/x-www-form-urlencoded body of names and values")
        }
        if let session, !ConsoleSessions.tokensMatch(fields["csrf"], session.csrfToken) {
            throw APIError(.forbidden, code: "csrf_failed", "the form's CSRF token is missing or not this session's: reload the page and try again")
        }
        return fields
    }

    static func time(_ epochSeconds: Int64) -> String {
        ExperimentStatusText.timestamp(epochSeconds).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }

    /// "step 2 of 4, 5% of traffic, held": where the ramp is, as the list, the page and live.json say it.
    static func rampText(_ spec: ExperimentSpec, lifecycle: ExperimentLifecycle, traffic: Double) -> String {
        let share = ExperimentStatusText.percent(traffic)
        let held = lifecycle.held ? ", held" : ""
        guard spec.ramp.count > 1 else { return "\(share) of traffic\(held)" }
        return "step \(lifecycle.step + 1) of \(spec.ramp.count), \(share) of traffic\(held)"
    }

    static func liftValues(metric: String, _ comparison: ExperimentReport.Comparison) -> [String: Any] {
        if let unavailable = comparison.unavailable { return ["metric": metric, "lift": "—", "interval": unavailable] }
        func percent(_ value: Double) -> String { value.isFinite ? String(format: "%+.1f%%", value * 100) : (value > 0 ? "+∞" : "−∞") }
        return ["metric": metric, "lift": percent(comparison.relativeLift),
                "interval": "[\(percent(comparison.ciLower)), \(percent(comparison.ciUpper))] \(comparison.variant) vs control"]
    }

    /// A path segment, percent-encoded (experiment ids are plain, but nothing here assumes it).
    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? ""
    }
}

extension ServerMetrics {
    /// The exposition's samples of the families the console's health page shows (group commit,
    /// feed, follower, connections, requests), as `name{labels}` and value; histogram buckets left out.
    func consoleFigures(_ exposition: [UInt8]) -> [(key: String, name: String, value: String)] {
        let prefixes = ["quanzi_group_commit", "quanzi_feed", "quanzi_view", "quanzi_http_connections_open", "quanzi_http_read_timeouts",
                        "quanzi_ledger_requests_total", "quanzi_red_packet"]
        var figures: [(key: String, name: String, value: String)] = []
        for line in String(decoding: exposition, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            guard prefixes.contains(where: { line.hasPrefix($0) }), !line.contains("_bucket{"),
                  let space = line.lastIndex(of: " ") else { continue }
            let name = String(line[..<space])
            let key = String(name.prefix { $0 != "{" })
            figures.append((key, name, String(line[line.index(after: space)...])))
        }
        return figures
    }
}
