import CLuaShim
import Core
import Social

/// The post a rule is asked about (view, comment, like, tip, report) or the post being made.
public struct PostContext: Sendable, Hashable {
    public var id: Int64?
    public var authorID: UserID?
    public var kind: PostKind
    public var text: String?

    public init(id: Int64? = nil, authorID: UserID? = nil, kind: PostKind = .text, text: String? = nil) {
        self.id = id
        self.authorID = authorID
        self.kind = kind
        self.text = text
    }

    var record: ScriptValue {
        var fields: [ScriptValue.Field] = [.init("kind", .string(kind.rawValue))]
        if let id { fields.append(.init("id", .integer(id))) }
        if let authorID { fields.append(.init("author_id", .integer(authorID.rawValue))) }
        if let text { fields.append(.init("text", .string(text))) }
        return .record(fields)
    }
}

extension LuaState {
    /// A stored post's proxy is cached by id (`ProxyCache`): its id, author, kind and text never
    /// change. A post being made (no id yet) is built each time.
    func pushPost(_ post: PostContext?) {
        guard let post else { return qz_pushnil(L) }
        guard let id = post.id else { return push(post.record) }
        pushCached(&postProxyCache, key: id, stamp: post, costBytes: 128 + (post.text?.utf8.count ?? 0)) { post.record }
    }
}

/// What a rule gets besides the user and the circle. Rules are called as
/// `rule(user, circle, post)`, and `tip(user, circle, amount_fen, post)`.
public struct RuleContext: Sendable, Hashable {
    public var post: PostContext?
    public var amountFen: Int64?

    public init(post: PostContext? = nil, amountFen: Int64? = nil) {
        self.post = post
        self.amountFen = amountFen
    }
}

/// A rule's answer: allowed or not, why not, and which rule said so.
public struct Decision: Sendable, Hashable, CustomStringConvertible {
    public var allowed: Bool
    /// The rule's reason, read only when it denies.
    public var reason: String?
    /// The rule function's `file:line`, or the circle's when it has no rule for the action.
    public var location: SourceLocation?
    /// A `post` rule that returned `"review"`: the post is accepted but waits, hidden, for a
    /// moderator; `reason` says why.
    public var heldForReview: Bool

    public init(allowed: Bool, reason: String?, location: SourceLocation?, heldForReview: Bool = false) {
        self.allowed = allowed
        self.reason = reason
        self.location = location
        self.heldForReview = heldForReview
    }

    public var description: String {
        let verdict = heldForReview ? "allowed, held for review" : allowed ? "allowed" : "denied"
        let why = (!allowed || heldForReview ? reason : nil).map { ": \($0)" } ?? ""
        let whereText = location.map { " (\($0))" } ?? ""
        return verdict + why + whereText
    }
}
