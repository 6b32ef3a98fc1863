import Hummingbird
import Ledger
import Service

/// Routes for operators and tools, outside `/v1` and without a token: health, metrics and the
/// API description. They reveal nothing about users.
struct OperationsController {
    let service: QuanziService
    let metrics: ServerMetrics

    func addRoutes(to router: Router<QuanziRequestContext>) {
        router.get("healthz", use: health)
        router.get("metrics", use: prometheus)
        router.get("openapi.json", use: openAPI)
    }

    struct Health: Encodable {
        let status: String
    }

    /// Healthy when the database answers a one-row read.
    @Sendable func health(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        _ = try await service.wallet.balanceFen(of: AccountID.external)
        return try JSONResponse.make(Health(status: "ok"))
    }

    @Sendable func prometheus(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let text = await metrics.render(
            wallet: service.wallet, views: service.views, feedMemory: service.feedMemory, experiments: service.experiments,
            scripts: service.servingScripts, moderation: { [service] in try service.moderationSummary() },
            nowEpochSeconds: service.clock.nowEpochSeconds)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: text)))
    }

    @Sendable func openAPI(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
    }
}
