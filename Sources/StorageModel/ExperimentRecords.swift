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

/// A status change made at run time (`ExperimentStore.StateChange` on both backends).
public struct ExperimentStateChange: Sendable, Hashable {
    public var experimentID: String
    public var status: String
    public var changedAtEpochSeconds: Int64
    public var reason: String

    public init(experimentID: String, status: String, changedAtEpochSeconds: Int64, reason: String) {
        self.experimentID = experimentID
        self.status = status
        self.changedAtEpochSeconds = changedAtEpochSeconds
        self.reason = reason
    }
}
