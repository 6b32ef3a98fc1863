import HTTPTypes
import Core
import Hummingbird
import Ledger

/// Reading path, query and header inputs with the API's errors (400 with a field name).
extension QuanziRequestContext {
    /// A positive integer id from the path, e.g. `:id` in `/v1/posts/:id`.
    func pathID(_ name: String) throws -> Int64 {
        guard let text = parameters.get(name), let id = Int64(text), id > 0 else {
            throw APIError.invalidRequest("path parameter '\(name)' must be a positive integer")
        }
        return id
    }
}

/// `?cursor=&limit=` of a list route. The cursor is the id the previous page stopped at.
struct PageQuery {
    let cursor: Int64?
    let limit: Int

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        if let text = query.get("limit") {
            guard let limit = Int(text), (1...ServerLimits.pageItemsMax).contains(limit) else {
                throw APIError.invalidRequest("limit must be between 1 and \(ServerLimits.pageItemsMax)")
            }
            self.limit = limit
        } else {
            limit = ServerLimits.pageItemsDefault
        }
        if let text = query.get("cursor") {
            guard let cursor = Int64(text), cursor > 0 else { throw APIError.invalidRequest("cursor is not one this API returned") }
            self.cursor = cursor
        } else {
            cursor = nil
        }
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// Set on a response that repeats the outcome of an earlier request with the same key.
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}

extension Request {
    /// The `Idempotency-Key` every money POST must carry; the ledger checks its length.
    func idempotencyKey() throws -> String {
        guard let key = headers[.idempotencyKey], !key.isEmpty else { throw APIError.idempotencyKeyRequired }
        return key
    }
}

extension UserID {
    /// A user id from a request body. Account ids below 1 are the ledger's system accounts, so a
    /// user id must be positive before it reaches the wallet.
    init(positive id: Int64, field: String) throws {
        guard id > 0 else { throw APIError.invalidRequest("\(field) must be a positive user id") }
        self.init(id)
    }
}
