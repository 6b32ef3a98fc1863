import Core
import Foundation

/// The context of an `affinity.changed` event: the viewers whose affinities a write changed
/// where no other event names them (`EventKind.affinityChanged`). Written by a backend's store,
/// read by the service's follower on the other nodes.
public enum AffinityChange {
    private struct Context: Codable {
        var viewers: [Int64]
    }

    /// `{"viewers":[…]}`.
    public static func context(viewers: [UserID]) -> String {
        "{\"viewers\":[\(viewers.map { String($0.rawValue) }.joined(separator: ","))]}"
    }

    /// The viewers an event's context names; nil when it is not such a context.
    public static func viewers(inContext context: String?) -> [UserID]? {
        guard let data = context?.data(using: .utf8), let decoded = try? JSONDecoder().decode(Context.self, from: data) else { return nil }
        return decoded.viewers.map { UserID($0) }
    }
}
