/// The script versions an exposure was made under: the experiment's file, and the circle plugin
/// whose rule or ranking read the variant (nil when a client read it through the API, and for
/// exposures recorded before versions were). Versions are `PluginSource.version`s: 16 hex digits
/// of the file's SHA-256, the same on every node.
public struct ExposureVersion: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var experimentVersion: String?
    public var pluginVersion: String?

    public init(experimentVersion: String?, pluginVersion: String?) {
        self.experimentVersion = experimentVersion
        self.pluginVersion = pluginVersion
    }

    /// Unknown versions first, then by experiment version, then by plugin version.
    public static func < (lhs: ExposureVersion, rhs: ExposureVersion) -> Bool {
        func key(_ version: ExposureVersion) -> (Int, String, Int, String) {
            (
                version.experimentVersion == nil ? 0 : 1, version.experimentVersion ?? "", version.pluginVersion == nil ? 0 : 1,
                version.pluginVersion ?? ""
            )
        }
        return key(lhs) < key(rhs)
    }

    public var description: String {
        "experiment \(experimentVersion ?? "unknown") · plugin \(pluginVersion ?? "none")"
    }
}

extension ExperimentReport {
    /// The users of the analysed phase first exposed under one combination of versions.
    public struct VersionRow: Sendable, Hashable, Codable {
        public var version: ExposureVersion
        /// The files these are versions of, when known (the analysing process loads them, or a
        /// node recorded serving them); nil otherwise.
        public var experimentFile: String?
        public var pluginFile: String?
        public var users: Int
        /// In variant order.
        public var usersPerVariant: [Int]
        public var firstExposedAtEpochSeconds: Int64
        public var lastExposedAtEpochSeconds: Int64

        public init(
            version: ExposureVersion, experimentFile: String? = nil, pluginFile: String? = nil, users: Int, usersPerVariant: [Int],
            firstExposedAtEpochSeconds: Int64, lastExposedAtEpochSeconds: Int64
        ) {
            self.version = version
            self.experimentFile = experimentFile
            self.pluginFile = pluginFile
            self.users = users
            self.usersPerVariant = usersPerVariant
            self.firstExposedAtEpochSeconds = firstExposedAtEpochSeconds
            self.lastExposedAtEpochSeconds = lastExposedAtEpochSeconds
        }
    }

    /// `quanzi ab analyze --by-version`: the same analysis over the users first exposed under
    /// one combination of versions.
    public struct VersionSection: Sendable, Hashable, Codable {
        public var version: ExposureVersion
        public var report: ExperimentReport

        public init(version: ExposureVersion, report: ExperimentReport) {
            self.version = version
            self.report = report
        }
    }

    /// Whether the data spans more than one version of the experiment's file, or of the circle
    /// plugins that exposed users (versions of different plugins count apart too: the rows name
    /// the files when known). Exposures without a version (old rows, the API) do not count.
    public static func spansVersions(_ rows: [VersionRow]) -> Bool {
        Set(rows.compactMap(\.version.experimentVersion)).count > 1 || Set(rows.compactMap(\.version.pluginVersion)).count > 1
    }
}
