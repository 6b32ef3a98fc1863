import Core
import Crypto
import Foundation
import Synchronization

/// The console's logged-in sessions, held by this node in memory.
///
/// A person pastes an admin token once; the console then keeps a session whose identifier is
/// 256 random bits sent only as an HttpOnly, SameSite=Strict cookie and stored here only as its
/// SHA-256 digest. Each session carries its own CSRF token, which every form repeats, and the
/// digest of the API token it was opened with: every request re-checks that token (revoked or
/// expired, the session ends at once). Sessions expire `lifetimeSeconds` after they were opened
/// (idle ones sooner, `idleSeconds`), on the service's clock; logging out forgets one at once.
///
/// Kept in memory, not in the database: a restart or another node asks the person to paste the
/// token again, which is the safe side for an admin console.
public final class ConsoleSessions: Sendable {
    public static let cookieName = "quanzi_console"
    /// The login form's own double-submit token (a login form has no session yet).
    public static let loginCookieName = "quanzi_console_login"
    public static let lifetimeSeconds: Int64 = 8 * 3600
    public static let idleSeconds: Int64 = 3600
    /// More live sessions than this and the oldest are forgotten: a flood of logins cannot grow memory.
    public static let sessionsMax = 1000

    public struct Session: Sendable, Hashable {
        public let userID: UserID
        /// The digest of the API token the session was opened with (re-checked on every request).
        let tokenDigest: [UInt8]
        /// Repeated by every form the console serves; compared in constant time.
        public let csrfToken: String
        let openedAtEpochSeconds: Int64
        var lastSeenAtEpochSeconds: Int64
    }

    private let clock: any Clock
    private let sessions = Mutex<[[UInt8]: Session]>([:])

    public init(clock: any Clock) {
        self.clock = clock
    }

    /// Opens a session for an admin who proved `tokenDigest`; returns the cookie value (shown
    /// once, never stored) and the session.
    func open(userID: UserID, tokenDigest: [UInt8]) -> (cookieValue: String, session: Session) {
        let cookieValue = Self.randomToken()
        let now = clock.nowEpochSeconds
        let session = Session(userID: userID, tokenDigest: tokenDigest, csrfToken: Self.randomToken(), openedAtEpochSeconds: now,
                              lastSeenAtEpochSeconds: now)
        sessions.withLock { sessions in
            sessions = sessions.filter { !Self.isExpired($0.value, now: now) }
            if sessions.count >= Self.sessionsMax, let oldest = sessions.min(by: { $0.value.openedAtEpochSeconds < $1.value.openedAtEpochSeconds }) {
                sessions[oldest.key] = nil
            }
            sessions[Self.digest(cookieValue)] = session
        }
        return (cookieValue, session)
    }

    /// The live session the cookie names, touched; nil when unknown, expired or logged out.
    func session(cookieValue: String) -> Session? {
        guard cookieValue.utf8.count <= 128 else { return nil }
        let now = clock.nowEpochSeconds
        let key = Self.digest(cookieValue)
        return sessions.withLock { sessions in
            guard var session = sessions[key] else { return nil }
            if Self.isExpired(session, now: now) {
                sessions[key] = nil
                return nil
            }
            session.lastSeenAtEpochSeconds = now
            sessions[key] = session
            return session
        }
    }

    /// Forgets the session the cookie names (log out).
    func close(cookieValue: String) {
        let key = Self.digest(cookieValue)
        _ = sessions.withLock { $0.removeValue(forKey: key) }
    }

    /// Forgets every session opened with the API token whose digest is `tokenDigest` (the token
    /// was found revoked or expired).
    func closeAll(tokenDigest: [UInt8]) {
        sessions.withLock { sessions in sessions = sessions.filter { $0.value.tokenDigest != tokenDigest } }
    }

    public var liveCount: Int {
        let now = clock.nowEpochSeconds
        return sessions.withLock { $0.values.filter { !Self.isExpired($0, now: now) }.count }
    }

    static func isExpired(_ session: Session, now: Int64) -> Bool {
        now - session.openedAtEpochSeconds >= lifetimeSeconds || now - session.lastSeenAtEpochSeconds >= idleSeconds
    }

    /// Whether a form's CSRF token is the session's (constant time in the token's length).
    static func tokensMatch(_ sent: String?, _ expected: String) -> Bool {
        guard let sent else { return false }
        let (a, b) = (Array(sent.utf8), Array(expected.utf8))
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// 256 random bits, base64url without padding (cookie- and form-safe).
    static func randomToken() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func digest(_ text: String) -> [UInt8] { Array(SHA256.hash(data: Data(text.utf8))) }
}
