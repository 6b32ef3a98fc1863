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
    public func insert(digest: [UInt8], for user: UserID, isAdmin: Bool, at now: Int64) throws(QuanziError) -> APIToken {
        guard digest.count == Self.digestByteCount else {
            throw QuanziError(.invalidArgument, "a token digest is \(Self.digestByteCount) bytes, got \(digest.count)")
        }
        return try QuanziError.wrapping {
            try database.pool.write { db in
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [user.rawValue]) ?? false else {
                    throw QuanziError(.userNotFound, "no user \(user)")
                }
                try db.execute(
                    sql: "INSERT INTO api_tokens (user_id, token_sha256, is_admin, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [user.rawValue, Data(digest), isAdmin, now])
                return APIToken(id: db.lastInsertedRowID, userID: user, isAdmin: isAdmin, createdAtEpochSeconds: now)
            }
        }
    }

    /// The live (not revoked) token with this digest.
    public func token(digest: [UInt8]) throws -> APIToken? {
        try database.pool.unsafeRead { db in
            let statement = try db.cachedStatement(
                sql: "SELECT id, user_id, is_admin, created_at FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL")
            return try Row.fetchOne(statement, arguments: [Data(digest)]).map { row in
                APIToken(
                    id: row["id"], userID: UserID(row["user_id"] as Int64), isAdmin: row["is_admin"],
                    createdAtEpochSeconds: row["created_at"])
            }
        }
    }
}
