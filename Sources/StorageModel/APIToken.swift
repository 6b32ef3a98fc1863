import Core

/// An API token as stored: whose it is and what role it carries. The token itself is never
/// stored, only its SHA-256 digest.
public struct APIToken: Sendable, Hashable {
    public let id: Int64
    public let userID: UserID
    /// Admin tokens may use the admin routes (experiments, top-ups).
    public let isAdmin: Bool
    public let createdAtEpochSeconds: Int64

    public init(id: Int64, userID: UserID, isAdmin: Bool, createdAtEpochSeconds: Int64) {
        self.id = id
        self.userID = userID
        self.isAdmin = isAdmin
        self.createdAtEpochSeconds = createdAtEpochSeconds
    }

    /// Bytes of a SHA-256 digest; both schemas check the same length.
    public static let digestByteCount = 32
}
