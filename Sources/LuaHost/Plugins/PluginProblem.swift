import Social

/// One thing wrong with a plugin, shown as `file:line: message`.
public struct PluginProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// Every problem found while loading a folder of plugins; loading is all or nothing.
public struct PluginLoadError: Error, Sendable, CustomStringConvertible {
    public var problems: [PluginProblem]
    public init(problems: [PluginProblem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
