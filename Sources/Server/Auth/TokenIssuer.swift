import BlockingWork
import Core
import Crypto
import Foundation
import Service
import StorageModel

/// Issues bearer tokens: 256 random bits, shown once, stored as a SHA-256 digest only.
public struct TokenIssuer: Sendable {
    /// Marks the string as a Quanzi token, so secret scanners and people recognise a leaked one.
    public static let prefix = "qz_"

    let store: any TokenRepository
    let wallet: WalletService
    let clock: any Clock

    public init(store: any TokenRepository, wallet: WalletService, clock: any Clock) {
        self.store = store
        self.wallet = wallet
        self.clock = clock
    }

    /// A new token for `user`, with the admin role when `admin` and the moderator role when `moderator`, expiring `ttlDays` days from now
    /// (never when `nil`; else within `APIToken.ttlDaysRange`). Opens the user's wallet account if
    /// needed: an API user can always be paid. Throws `user_not_found` for an unknown user.
    public func issue(for user: UserID, admin: Bool, moderator: Bool = false, ttlDays: Int? = nil) async throws -> (token: String, record: APIToken) {
        let now = clock.nowEpochSeconds
        let expiresAt: Int64? = if let ttlDays { try Self.expiry(issuedAt: now, ttlDays: ttlDays) } else { nil }
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let token = Self.prefix + Self.base64URL(secret)
        let (store, digest) = (store, Self.digest(of: token))
        let record = try await Blocking.commit { try store.insert(digest: digest, for: user, isAdmin: admin, isModerator: moderator, at: now, expiresAt: expiresAt) }
        try await wallet.openAccount(for: user)
        return (token, record)
    }

    /// The expiry of a token issued at `now` for `ttlDays` days; `invalid_argument` outside
    /// `APIToken.ttlDaysRange` or past the clock's range.
    static func expiry(issuedAt now: Int64, ttlDays: Int) throws(QuanziError) -> Int64 {
        guard APIToken.ttlDaysRange.contains(ttlDays) else {
            throw QuanziError(
                .invalidArgument, "a token lives \(APIToken.ttlDaysRange.lowerBound) to \(APIToken.ttlDaysRange.upperBound) days, not \(ttlDays)")
        }
        let (expiresAt, overflow) = now.addingReportingOverflow(Int64(ttlDays) * secondsPerDay)
        guard !overflow else { throw QuanziError(.invalidArgument, "a token issued at \(now) cannot live \(ttlDays) days") }
        return expiresAt
    }

    static let secondsPerDay: Int64 = 86_400

    /// The stored form of a token.
    static func digest(of token: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(token.utf8)))
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
