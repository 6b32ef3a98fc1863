import Experiments
import Foundation
import Core

/// A user's first exposure to an experiment in one phase (`ExperimentStore.Exposure` on both
/// backends), with the versions it was made under and the node that made it.
public struct ExperimentExposure: Sendable, Hashable {
    public var userID: UserID
    public var variant: String
    public var firstExposedAtEpochSeconds: Int64
    /// The experiment's analysis phase (`ExperimentSpec.phase`) when the user was exposed.
    public var phase: Int
    /// The version of the experiment's file (nil for rows older than versions).
    public var experimentVersion: String?
    /// The version of the circle plugin whose rule or ranking read the variant (nil when a client
    /// read it through the API, and for rows older than versions).
    public var pluginVersion: String?
    /// The PostgreSQL node that recorded it (nil on SQLite, and for older rows).
    public var node: String?

    public init(
        userID: UserID, variant: String, firstExposedAtEpochSeconds: Int64, phase: Int = 1, experimentVersion: String? = nil,
        pluginVersion: String? = nil, node: String? = nil
    ) {
        self.userID = userID
        self.variant = variant
        self.firstExposedAtEpochSeconds = firstExposedAtEpochSeconds
        self.phase = phase
        self.experimentVersion = experimentVersion
        self.pluginVersion = pluginVersion
        self.node = node
    }

    public var version: ExposureVersion { ExposureVersion(experimentVersion: experimentVersion, pluginVersion: pluginVersion) }
}

/// A user forced into a variant for QA: when, by whom and why (who and why are nil for users
/// forced before they were recorded).
public struct ForcedUser: Sendable, Hashable {
    public var userID: UserID
    public var variant: String
    public var atEpochSeconds: Int64
    public var actor: String?
    public var reason: String?

    public init(userID: UserID, variant: String, atEpochSeconds: Int64, actor: String?, reason: String?) {
        self.userID = userID
        self.variant = variant
        self.atEpochSeconds = atEpochSeconds
        self.actor = actor
        self.reason = reason
    }
}

/// What makes an exposure unique: one per user, experiment and phase.
public struct ExposureKey: Sendable, Hashable {
    public var experiment: String
    public var phase: Int
    public var user: UserID

    public init(experiment: String, phase: Int, user: UserID) {
        self.experiment = experiment
        self.phase = phase
        self.user = user
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
            case .held: .experimentHeld
            case .released: .experimentReleased
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
