import Core
import NIOCore
import PostgresNIO
import StorageModel

/// Bearer tokens by digest on PostgreSQL (Storage's `TokenStore`). Hashing happens in the
/// caller; this store only sees 32-byte digests.
public struct PostgresTokenStore: Sendable {
    /// Bytes of a SHA-256 digest; the schema checks the same length.
    public static let digestByteCount = APIToken.digestByteCount

    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    /// Records a new token for `user`; `user_not_found` when there is no such user.
    public func insert(digest: [UInt8], for user: UserID, isAdmin: Bool, at now: Int64) throws(QuanziError) -> APIToken {
        guard digest.count == Self.digestByteCount else {
            throw QuanziError(.invalidArgument, "a token digest is \(Self.digestByteCount) bytes, got \(digest.count)")
        }
        return try QuanziError.wrapping {
            try database.write { session in
                try PostgresUserStore.requireUser(user, session)
                let id = try session.value(
                    """
                    INSERT INTO api_tokens (user_id, token_sha256, is_admin, created_at)
                    VALUES (\(user.rawValue), \(ByteBuffer(bytes: digest)), \(isAdmin), \(now)) RETURNING id
                    """, as: Int64.self)
                guard let id else { throw PostgresStorageCorrupt(reason: "INSERT returned no token id") }
                return APIToken(id: id, userID: user, isAdmin: isAdmin, createdAtEpochSeconds: now)
            }
        }
    }

    /// The live (not revoked) token with this digest.
    public func token(digest: [UInt8]) throws -> APIToken? {
        try database.unsafeRead { session in
            try session.row(
                """
                SELECT id, user_id, is_admin, created_at FROM api_tokens
                WHERE token_sha256 = \(ByteBuffer(bytes: digest)) AND revoked_at IS NULL
                """, as: (Int64, Int64, Bool, Int64).self
            ).map { id, user, isAdmin, createdAt in
                APIToken(id: id, userID: UserID(user), isAdmin: isAdmin, createdAtEpochSeconds: createdAt)
            }
        }
    }
}

/// A row the schema should have made impossible, or a statement that returned nothing.
struct PostgresStorageCorrupt: Error, CustomStringConvertible {
    let reason: String
    var description: String { "PostgreSQL storage: \(reason)" }
}
