import Core
import Experiments
import LuaHost
import Social

/// What an app applies for one experiment: the variant its user is served, with the experiment's
/// phase and the version of the file that declares it (so an app can tell a changed definition).
public struct AppAssignment: Sendable, Hashable {
    public let experimentID: String
    public let variant: ExperimentSpec.Variant
    /// A QA override: the app applies it, and nothing it reports is analysed.
    public let isForced: Bool
    /// A shipped variant: every targeted user gets it, and reporting it logs nothing.
    public let isShipped: Bool
    public let phase: Int
    /// The content hash of the experiment's file (nil for an experiment not loaded from one).
    public let version: String?
}

/// What an app's report that it showed an experiment's change did.
public struct AppExposure: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// This report logged the user's first exposure.
        case logged
        /// The user's first exposure was logged before; nothing more is written.
        case alreadyExposed = "already_exposed"
        /// Draft or stopped: the app applies nothing, and there is nothing to log.
        case notRunning = "not_running"
        /// Running, but its start time has not come.
        case notStarted = "not_started"
        /// Running, but this user is outside its targeting, its layer slice or its traffic share.
        case notInExperiment = "not_in_experiment"
        /// A QA override: forced users are never analysed, so never logged.
        case forced
        /// Shipped: the variant applies to every targeted user and nothing is exposed any more.
        case shipped
    }

    public let experimentID: String
    /// The variant the app applies, as `appAssignments(of:)` lists it; nil when it applies none.
    public let variant: ExperimentSpec.Variant?
    public let outcome: Outcome
}

extension ExperimentService {
    /// Every experiment an app should apply for `user` now: running ones the user is in (by hash
    /// or forced for QA) and shipped ones whose targeting takes the user. Draft and stopped
    /// experiments, and those the user is outside of, are left out: the app keeps its defaults.
    /// Sorted by experiment id. Reading logs nothing; the app reports what it shows through
    /// ``recordAppExposure(of:to:)``.
    public func appAssignments(of user: UserProfile) throws(QuanziError) -> [AppAssignment] {
        let set = experiments
        var listed: [AppAssignment] = []
        for spec in set.experiments.sorted(by: { $0.id < $1.id }) {
            // The effective status, so a stop or a ship made at run time counts, and a draft or
            // stopped experiment costs no targeting call.
            guard [.running, .shipped].contains(status(of: spec)) else { continue }
            let assignment = try assign(user, to: spec.id)
            guard let variant = assignment.variant, Self.appApplies(assignment) else { continue }
            listed.append(AppAssignment(
                experimentID: spec.id, variant: variant, isForced: assignment.reason == .forced, isShipped: assignment.reason == .shipped,
                phase: spec.phase, version: set.version(ofExperiment: spec.id)))
        }
        return listed
    }

    /// Logs `user`'s exposure to `experiment` when an app reports that it showed the change
    /// (GrowthBook's trackingCallback moment): the first report of a user in the experiment by
    /// hash logs it, later ones write nothing. An unknown experiment is `experimentNotFound`.
    ///
    /// `logged` is what the store wrote: of two first reports racing, on one node or two, one
    /// logs and the other hears `alreadyExposed` (the store's key is the experiment, the phase
    /// and the user). A new phase logs the user again.
    public func recordAppExposure(of user: UserProfile, to experiment: String) throws(QuanziError) -> AppExposure {
        let (assignment, logged) = try exposeRecording(user, to: experiment)
        let outcome: AppExposure.Outcome =
            switch assignment.reason {
            case .assigned: logged ? .logged : .alreadyExposed
            case .forced: .forced
            case .shipped: .shipped
            case .notRunning: .notRunning
            case .notStarted: .notStarted
            case .notTargeted, .notInLayerSlice, .outsideTraffic: .notInExperiment
            }
        return AppExposure(experimentID: experiment, variant: Self.appApplies(assignment) ? assignment.variant : nil, outcome: outcome)
    }

    /// Whether an app applies `assignment`'s variant: in the experiment by hash, forced, or
    /// shipped. A stopped experiment serves its control to plugins, but an app keeps its own
    /// defaults, so it applies nothing there.
    private static func appApplies(_ assignment: ExperimentAssignment) -> Bool {
        switch assignment.reason {
        case .assigned, .forced, .shipped: true
        case .notRunning, .notStarted, .notTargeted, .notInLayerSlice, .outsideTraffic: false
        }
    }
}
