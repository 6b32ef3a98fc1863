import Core
import LuaHost
import Social

/// The answer to "may this user do this in this circle, and why not?": the verdict, the rule's
/// `file:line` and every value the rule read. The REPL's `:why` prints it as text and the console's
/// why form as a page; both ask ``QuanziService/explainRule(circle:action:userID:postID:amountFen:)``.
public struct RuleExplanation: Sendable {
    public var circle: CircleID
    public var action: CircleAction
    public var user: UserProfile
    /// The post the action is on (comment, like, tip…), when one was named.
    public var post: Post?
    public var allowed: Bool
    /// The rule's reason for a denial, or the core's when a block decided before any rule.
    public var reason: String?
    /// The rule's `file:line` (nil when the core decided before any rule ran).
    public var location: SourceLocation?
    /// True when a block between the user and the post's author refused the action: no rule ran.
    public var blockedByCore: Bool
    /// What the rule read, in order, one line each (`user.verified = true`).
    public var reads: [String]

    /// The verdict line: `denied: user 42 post in campus-diary: verified users only`.
    public var verdict: String {
        "\(allowed ? "allowed" : "denied"): user \(user.id) \(action.rawValue) in \(circle)" + (allowed ? "" : ": \(reason ?? "no reason given")")
    }

    /// The REPL's text: the verdict, then the rule's location and what it read.
    public var text: String {
        if blockedByCore { return verdict + "\n  blocked: checked by the core before any rule (no rule ran)" }
        var lines = [verdict]
        if let location { lines.append("  rule: \(location)") }
        if !reads.isEmpty {
            lines.append("  read:")
            lines += reads.map { "    " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// One thing the rule read, named from the acting user's side: `user.city`, `record 7.verified`.
    static func readLine(_ entry: RuleTraceEntry, actingUser: UserID) -> String {
        if case .field(let object, let key, let value) = entry {
            let name = object == "#\(actingUser)" ? "user" : object.hasPrefix("#") ? "record \(object.dropFirst())" : object
            return "\(name).\(key) = \(LuaValueFormat.literal(value))"
        }
        return entry.description
    }
}

extension QuanziService {
    /// The tip a why question assumes when it names no amount (the rule sees `context.amount_fen`).
    public static let whyTipAmountFenDefault: Int64 = 100

    /// Explains `user`'s `action` in `circle` without doing it (nothing is logged, no exposure
    /// recorded): a block with the post's author first, as the core decides it, then the rule
    /// with everything it read. `postID` names the post the action is on; `amountFen` is a tip's.
    public func explainRule(circle: CircleID, action: CircleAction, userID: UserID, postID: Int64? = nil, amountFen: Int64? = nil)
        throws(QuanziError) -> RuleExplanation
    {
        let profile = try QuanziError.wrapping { try users.require(userID) }
        var context = RuleContext()
        var post: Post?
        if let postID {
            guard let found = try QuanziError.wrapping({ try posts.post(postID) }) else { throw QuanziError(.postNotFound, "no post \(postID)") }
            post = found
            context.post = PostContext(id: found.id, authorID: found.authorID, kind: found.kind, text: found.body)
        }
        if action == .tip { context.amountFen = amountFen ?? Self.whyTipAmountFenDefault }
        if let author = post?.authorID, let refusal = try blockRefusal(actor: profile.id, other: author) {
            return RuleExplanation(circle: circle, action: action, user: profile, post: post, allowed: false, reason: refusal.message,
                                   location: nil, blockedByCore: true, reads: [])
        }
        let (decision, trace) = try rules.explain(circle: circle, action: action, user: profile, context: context, dataSource: previewDataSource)
        return RuleExplanation(
            circle: circle, action: action, user: profile, post: post, allowed: decision.allowed, reason: decision.reason,
            location: decision.location, blockedByCore: false, reads: trace.map { RuleExplanation.readLine($0, actingUser: profile.id) })
    }
}
