import LuaHost
import Social

struct CircleSummaryView: Codable, Sendable {
    let id: String
    let title: String
    let description: String?

    init(_ circle: CircleDefinition) {
        id = circle.id.rawValue
        title = circle.title
        description = circle.description
    }
}

struct CirclesView: Codable, Sendable {
    let circles: [CircleSummaryView]
}

/// One action's verdict for the caller: the rule's answer and, when denied, its reason.
struct PermissionView: Codable, Sendable {
    let action: String
    let allowed: Bool
    let reason: String?
    /// The rule's `file:line`, so a denial can be traced to its Lua.
    let rule: String?

    init(action: CircleAction, decision: Decision) {
        self.action = action.rawValue
        allowed = decision.allowed
        reason = decision.allowed ? nil : decision.reason ?? "not allowed"
        rule = decision.location?.description
    }
}

struct CircleView: Codable, Sendable {
    let id: String
    let title: String
    let description: String?
    /// What the caller may do here, one entry per action, in a fixed order.
    let myPermissions: [PermissionView]

    enum CodingKeys: String, CodingKey {
        case id, title, description, myPermissions = "my_permissions"
    }
}
