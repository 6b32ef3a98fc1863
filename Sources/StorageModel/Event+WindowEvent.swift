import Core
import Feed

extension Event {
    /// What the event changes in a circle's candidate window, nil when it changes none.
    public var windowEvent: WindowEvent? {
        WindowEvent(kind: EventKind(rawValue: kind), postID: postID, amountFen: amountFen)
    }
}
