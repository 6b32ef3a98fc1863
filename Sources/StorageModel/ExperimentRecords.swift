import Experiments
import Foundation
import Core

/// A user's first exposure to an experiment (`ExperimentStore.Exposure` on both backends).
public struct ExperimentExposure: Sendable, Hashable {
    public var userID: UserID
    public var variant: String
    public var firstExposedAtEpochSeconds: Int64

    public init(userID: UserID, variant: String, firstExposedAtEpochSeconds: Int64) {
        self.userID = userID
        self.variant = variant
        self.firstExposedAtEpochSeconds = firstExposedAtEpochSeconds
    }
}

extension ExperimentChange {
    /// The event a change writes beside its row.
    public var event: Event {
        let kind: EventKind =
            switch self.kind {
            case .started: .experimentStarted
            case .advanced: .experimentAdvanced
            case .stopped: .experimentStopped
            case .shipped: .experimentShipped
            }
        return Event(kind: kind, at: atEpochSeconds, experimentID: experimentID, variant: variant, context: "\(actor): \(reason)")
    }

    /// `evidence` as the JSON array both backends store.
    public var evidenceJSON: String {
        let data = (try? JSONEncoder().encode(evidence)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// `evidence` back from its stored JSON (empty when unreadable).
    public static func evidence(fromJSON text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
