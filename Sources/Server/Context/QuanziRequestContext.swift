import Core
import Foundation
import Hummingbird
import Synchronization

/// Who is calling: set by `AuthMiddleware` from the bearer token.
public struct Caller: Sendable, Hashable {
    public let userID: UserID
    public let isAdmin: Bool
    /// A moderator's token (`--moderator`); admins may moderate too (`mayModerate`).
    public let isModerator: Bool
    /// The row id of the token the request came with (logging out revokes that one). Rate limits
    /// are per user, not per token.
    public let tokenID: Int64

    public var mayModerate: Bool { isModerator || isAdmin }
}

/// The request context of every route: Hummingbird's core storage plus what middleware learned.
public struct QuanziRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `nil` until `AuthMiddleware` has run (public routes never have one).
    public var caller: Caller? {
        didSet { facts.userID = caller?.userID }
    }
    /// The console session (`/console` routes behind `ConsoleSessionMiddleware` only).
    var consoleSession: ConsoleSessions.Session?
    /// Shared with the outer middleware (the context is a value: what inner middleware sets on
    /// it does not flow back out).
    let facts = RequestFacts()

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
    }

    public var maxUploadSize: Int { ServerLimits.requestBodyBytesMax }
    public var responseEncoder: JSONEncoder { APIJSON.encoder }

    /// The authenticated caller; routes behind `AuthMiddleware` always have one.
    public func requireCaller() throws -> Caller {
        guard let caller else { throw APIError.unauthorized("missing bearer token") }
        return caller
    }
}

/// What the request log wants to know after the inner middleware ran.
final class RequestFacts: Sendable {
    private let caller = Mutex<UserID?>(nil)
    var userID: UserID? {
        get { caller.withLock { $0 } }
        set { caller.withLock { $0 = newValue } }
    }
}
