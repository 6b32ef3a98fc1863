/// Every error a user can see, with a stable code. The API, the CLI and the REPL show the same
/// code and message; the code never changes once shipped (clients switch on it).
public struct QuanziError: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// The closed set of error codes, grouped by where they arise.
    public enum Code: String, Sendable, CaseIterable, Codable {
        // Scripts and plugins
        case scriptError = "script_error"
        case instructionLimitExceeded = "instruction_limit_exceeded"
        case memoryLimitExceeded = "memory_limit_exceeded"
        case timeLimitExceeded = "time_limit_exceeded"
        case invalidPlugin = "invalid_plugin"
        case ruleDenied = "rule_denied"
        /// A reload found problems in the new scripts (or an edit a live experiment may not take);
        /// the old set keeps serving.
        case reloadRefused = "reload_refused"
        // Lookups and input
        case notFound = "not_found"
        case userNotFound = "user_not_found"
        case circleNotFound = "circle_not_found"
        case postNotFound = "post_not_found"
        case experimentNotFound = "experiment_not_found"
        case variantNotFound = "variant_not_found"
        /// The experiment is not in a state that allows the change (shipping a shipped one, say).
        case experimentStateConflict = "experiment_state_conflict"
        case friendRequestNotFound = "friend_request_not_found"
        case moderationItemNotFound = "moderation_item_not_found"
        /// The review queue's item is not in a state that allows the change (deciding a decided
        /// item, appealing twice, appealing what was not removed).
        case moderationConflict = "moderation_conflict"
        case invalidArgument = "invalid_argument"
        /// A paging cursor this service did not make, or one too old or from the future.
        case invalidCursor = "invalid_cursor"
        /// User text with a NUL or another control character (newline and tab are allowed).
        case invalidText = "invalid_text"
        case contentTooLong = "content_too_long"
        case emptyContent = "empty_content"
        // Social graph and interactions
        case sameUser = "same_user"
        case alreadyFriends = "already_friends"
        case friendRequestPending = "friend_request_pending"
        case notFriends = "not_friends"
        case alreadyLiked = "already_liked"
        case alreadyReported = "already_reported"
        case forbidden = "forbidden"
        case postNotVisible = "post_not_visible"
        /// One of the two users blocked the other: no comment, like, tip, report, friend request
        /// or view of the other's posts, whatever the circle's rules say.
        case blocked = "blocked"
        // The service itself
        case storageFailure = "storage_failure"
        /// Too much work queued (e.g. the wallet's group-commit queue): retry later.
        case overloaded = "overloaded"
    }
}
