import HTTPTypes
import Hummingbird
import Ledger

/// The HTTP answer to a money operation. A replay answers exactly as the first request did
/// (201 and the same body, built from the original receipt) plus an `Idempotent-Replayed`
/// header; a refusal throws the ledger's error.
struct MoneyResponse {
    let metrics: ServerMetrics

    func respond<Receipt, View: Encodable>(
        _ result: LedgerResult<Receipt>, kind: String, view: (Receipt) -> View
    ) throws -> Response {
        metrics.recordLedgerOutcome(kind: kind, outcome: result.code)
        switch result {
        case .committed(let receipt):
            return try JSONResponse.make(view(receipt), status: .created)
        case .replayed(let receipt):
            var response = try JSONResponse.make(view(receipt), status: .created)
            response.headers[.idempotentReplayed] = "true"
            return response
        case .rejected(let error):
            throw error
        }
    }
}

/// A JSON response with the API's encoder.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        make(bytes: try APIJSON.encoder.encode(value), status: status)
    }

    /// A body already encoded (the feed writes its own, see `JSONWriter`).
    static func make(bytes: some Sequence<UInt8>, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
