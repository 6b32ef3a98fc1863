/// A user's id. Ids are positive 64-bit integers, the same in the database, Lua and the API.
public struct UserID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
    public static func < (lhs: UserID, rhs: UserID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A circle's id: lowercase letters, digits and dashes, as declared by its plugin.
public struct CircleID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (lhs: CircleID, rhs: CircleID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether `text` is a well-formed circle id (1–64 of `a-z`, `0-9`, `-`, starting alphanumeric).
    public static func isWellFormed(_ text: String) -> Bool {
        guard let first = text.utf8.first, text.utf8.count <= 64 else { return false }
        func allowed(_ byte: UInt8) -> Bool { (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) }
        return allowed(first) && text.utf8.allSatisfy { allowed($0) || $0 == 45 }
    }
}
