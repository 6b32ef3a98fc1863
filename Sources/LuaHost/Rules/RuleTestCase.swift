import Core
import Social

/// One case from a plugin's `tests` table: a user (and optionally a post and its author) trying
/// an action, and the expected decision.
public struct RuleTestCase: Sendable, Hashable {
    public var name: String?
    public var circle: CircleID
    public var location: SourceLocation
    public var user: UserProfile
    /// What `quanzi.credit.score` answers for the test's user (`credit_score` in the test).
    public var userCreditScore: Int?
    public var action: CircleAction
    public var expectAllowed: Bool
    /// A substring the denial reason must contain.
    public var expectedReason: String?
    public var context: RuleContext
    public var author: UserProfile?
    public var authorCreditScore: Int?
    /// Whether the user and the post's author are friends.
    public var friends: Bool

    public var title: String {
        name ?? "\(action.rawValue) by user \(user.id) expecting \(expectAllowed ? "allowed" : "denied")"
    }
}
