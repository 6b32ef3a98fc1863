import APIInput
import Core
import LuaHost
import Service
import Hummingbird
import Ledger
import NIOCore
import StorageModel

/// The one place that decides the HTTP status of every failure. Bad input is 4xx; only a real
/// server fault (storage, a failing plugin) is 5xx.
extension APIError {
    init(_ error: any Error) {
        switch error {
        case let error as APIError: self = error
        case let error as QuanziError:
            let status = Self.status(of: error.code)
            // A server fault's message can hold SQL or file paths: it goes to the log, not the client.
            self.init(status, code: error.code.rawValue, status.code >= 500 ? "the server failed; the error was logged" : error.message)
        case let error as ScriptReloadRefused:
            self.init(.unprocessableContent, code: QuanziError.Code.reloadRefused.rawValue, error.quanziError.message)
            problems = error.problems.map { .init(file: $0.location.file, line: $0.location.line, message: $0.message) }
        case let error as LedgerError: self.init(Self.status(of: error), code: error.code, error.message)
        case let error as WalletOverloaded: self.init(.serviceUnavailable, code: QuanziError.Code.overloaded.rawValue, error.description)
        case let error as RequestBodyError: self.init(body: error)
        case is NIOTooManyBytesError:
            self.init(.contentTooLarge, code: "body_too_large", "the request body is larger than the server accepts")
        case let error as HTTPError where error.status == .notFound:
            self.init(.notFound, code: Self.routeNotFoundCode, "no such route")
        case let error as any HTTPResponseError where (400..<500).contains(error.status.code):
            self.init(error.status, code: "invalid_request", "\(error)")
        default:
            self.init(.internalServerError, code: "internal_error", "the server failed; the error was logged")
        }
    }

    static func status(of code: QuanziError.Code) -> HTTPResponse.Status {
        switch code {
        case .ruleDenied, .forbidden, .blocked: .forbidden
        case .notFound, .userNotFound, .circleNotFound, .postNotFound, .experimentNotFound, .variantNotFound,
            .friendRequestNotFound, .notFriends, .postNotVisible, .moderationItemNotFound:
            .notFound
        case .invalidCursor: .badRequest
        case .invalidArgument, .contentTooLong, .emptyContent, .invalidText, .sameUser, .reloadRefused: .unprocessableContent
        case .alreadyFriends, .friendRequestPending, .alreadyLiked, .alreadyReported, .experimentStateConflict,
            .moderationConflict:
            .conflict
        // A plugin that fails or runs out of budget is a fault of the deployment, not the request.
        case .overloaded: .serviceUnavailable
        case .scriptError, .instructionLimitExceeded, .memoryLimitExceeded, .timeLimitExceeded, .invalidPlugin, .storageFailure:
            .internalServerError
        }
    }

    static func status(of error: LedgerError) -> HTTPResponse.Status {
        switch error {
        case .invalidIdempotencyKey: .badRequest
        case .amountMustBePositive, .countMustBePositive, .countExceedsTotal, .audienceEmpty, .sameAccount, .exceedsLimit,
            .insufficientFunds:
            .unprocessableContent
        case .accountNotFound, .redPacketNotFound, .userNotFound: .notFound
        case .idempotencyKeyReused, .redPacketEmpty: .conflict
        case .notInAudience: .forbidden
        case .redPacketExpired: .gone
        }
    }

    /// Whether this error is the server's fault (logged as an error, not a notice).
    var isServerFault: Bool { status.code >= 500 }
}
