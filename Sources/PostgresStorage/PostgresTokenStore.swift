import Core
import NIOCore
import PostgresNIO
import StorageModel

/// Bearer tokens by digest on PostgreSQL (SQLiteStorage's `TokenStore`). Hashing happens in the
/// caller; this store only sees 32-byte digests.
public struct PostgresTokenStore: Sendable {
    /// Bytes of a SHA-256 digest; the schema checks the same length.
    public static let digestByteCount = APIToken.digestByteCount

    let database: QuanziPostgresDatabase

    public init(database: QuanziPostgresDatabase) { self.database = database }

    /// Records a new token for `user`; `user_not_found` when there is no such user.
    public func insert(digest: [UInt8], for user: UserID, isAdmin: Bool, isModerator: Bool, at now: Int64, expiresAt: Int64?) throws(QuanziError)
        -> APIToken
    {
        try APIToken.checkNew(digest: digest, createdAt: now, expiresAt: expiresAt)
        return try QuanziError.wrapping {
            try database.write { session in
                try PostgresUserStore.requireUser(user, session)
                let id = try session.value(
                    """
                    INSERT INTO api_tokens (user_id, token_sha256, is_admin, is_moderator, created_at, expires_at)
                    VALUES (\(user.rawValue), \(ByteBuffer(bytes: digest)), \(isAdmin), \(isModerator), \(now), \(expiresAt)) RETURNING id
                    """, as: Int64.self)
                guard let id else { throw PostgresStorageCorrupt(reason: "INSERT returned no token id") }
                return APIToken(
                    id: id, userID: user, isAdmin: isAdmin, isModerator: isModerator, createdAtEpochSeconds: now, expiresAtEpochSeconds: expiresAt)
            }
        }
    }

    /// The token with this digest unless revoked (expired ones included: the caller tells them apart).
    public func token(digest: [UInt8]) throws -> APIToken? {
        try database.unsafeRead { session in
            try session.row(
                """
                SELECT id, user_id, is_admin, is_moderator, created_at, expires_at FROM api_tokens
                WHERE token_sha256 = \(ByteBuffer(bytes: digest)) AND revoked_at IS NULL
                """, as: TokenRow.self
            ).map(Self.token(from:))
        }
    }

    /// Marks the selected live tokens revoked and returns them. A node whose clock runs behind
    /// the issuer's still revokes: the time recorded is never before the token's creation.
    public func revoke(_ selection: TokenSelection, at now: Int64) throws(QuanziError) -> [APIToken] {
        // One statement per selection: PostgresNIO binds values, it does not compose queries.
        let update: PostgresQuery =
            switch selection {
            case .id(let id):
                """
                UPDATE api_tokens SET revoked_at = GREATEST(created_at, \(now))
                WHERE id = \(id) AND revoked_at IS NULL \(unescaped: Self.returning)
                """
            case .digest(let digest):
                """
                UPDATE api_tokens SET revoked_at = GREATEST(created_at, \(now))
                WHERE token_sha256 = \(ByteBuffer(bytes: digest)) AND revoked_at IS NULL \(unescaped: Self.returning)
                """
            case .user(let user):
                """
                UPDATE api_tokens SET revoked_at = GREATEST(created_at, \(now))
                WHERE user_id = \(user.rawValue) AND revoked_at IS NULL \(unescaped: Self.returning)
                """
            }
        return try QuanziError.wrapping {
            try database.write { session in try session.rows(update, as: TokenRow.self).map(Self.token(from:)) }
        }
    }

    private static let returning = "RETURNING id, user_id, is_admin, is_moderator, created_at, expires_at"

    private typealias TokenRow = (Int64, Int64, Bool, Bool, Int64, Int64?)

    private static func token(from row: TokenRow) -> APIToken {
        let (id, user, isAdmin, isModerator, createdAt, expiresAt) = row
        return APIToken(
            id: id, userID: UserID(user), isAdmin: isAdmin, isModerator: isModerator, createdAtEpochSeconds: createdAt,
            expiresAtEpochSeconds: expiresAt)
    }
}

/// A row the schema should have made impossible, or a statement that returned nothing.
struct PostgresStorageCorrupt: Error, CustomStringConvertible {
    let reason: String
    var description: String { "PostgreSQL storage: \(reason)" }
}
