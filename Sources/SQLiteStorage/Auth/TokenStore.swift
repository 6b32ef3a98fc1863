import Core
import Foundation
import GRDB

/// Bearer tokens by digest. Hashing happens in the caller (the Server target holds the crypto);
/// this store only sees 32-byte digests.
public struct TokenStore: Sendable {
    /// Bytes of a SHA-256 digest; the schema checks the same length.
    public static let digestByteCount = APIToken.digestByteCount

    let database: QuanziDatabase

    public init(database: QuanziDatabase) { self.database = database }

    /// Records a new token for `user`; `user_not_found` when there is no such user.
    public func insert(digest: [UInt8], for user: UserID, isAdmin: Bool, isModerator: Bool, at now: Int64, expiresAt: Int64?) throws(QuanziError)
        -> APIToken
    {
        try APIToken.checkNew(digest: digest, createdAt: now, expiresAt: expiresAt)
        return try QuanziError.wrapping {
            try database.write { db in
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [user.rawValue]) ?? false else {
                    throw QuanziError(.userNotFound, "no user \(user)")
                }
                try db.execute(
                    sql: "INSERT INTO api_tokens (user_id, token_sha256, is_admin, is_moderator, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [user.rawValue, Data(digest), isAdmin, isModerator, now, expiresAt])
                return APIToken(
                    id: db.lastInsertedRowID, userID: user, isAdmin: isAdmin, isModerator: isModerator, createdAtEpochSeconds: now,
                    expiresAtEpochSeconds: expiresAt)
            }
        }
    }

    /// The token with this digest unless revoked (expired ones included: the caller tells them apart).
    public func token(digest: [UInt8]) throws -> APIToken? {
        try database.unsafeRead { db in
            let statement = try db.cachedStatement(
                sql: "SELECT \(Self.columns) FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL")
            return try Row.fetchOne(statement, arguments: [Data(digest)]).map(Self.token(from:))
        }
    }

    /// Marks the selected live tokens revoked and returns them. A node whose clock runs behind
    /// the issuer's still revokes: the time recorded is never before the token's creation.
    public func revoke(_ selection: TokenSelection, at now: Int64) throws(QuanziError) -> [APIToken] {
        let (condition, argument): (String, any DatabaseValueConvertible) =
            switch selection {
            case .id(let id): ("id = ?", id)
            case .digest(let digest): ("token_sha256 = ?", Data(digest))
            case .user(let user): ("user_id = ?", user.rawValue)
            }
        return try QuanziError.wrapping {
            try database.write { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        UPDATE api_tokens SET revoked_at = max(created_at, ?) WHERE \(condition) AND revoked_at IS NULL
                        RETURNING \(Self.columns)
                        """, arguments: [now, argument]
                ).map(Self.token(from:))
            }
        }
    }

    private static let columns = "id, user_id, is_admin, is_moderator, created_at, expires_at"

    private static func token(from row: Row) -> APIToken {
        APIToken(
            id: row["id"], userID: UserID(row["user_id"] as Int64), isAdmin: row["is_admin"], isModerator: row["is_moderator"], createdAtEpochSeconds: row["created_at"],
            expiresAtEpochSeconds: row["expires_at"])
    }
}
