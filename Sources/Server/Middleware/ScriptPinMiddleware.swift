import HTTPTypes
import Hummingbird
import Service

/// Pins the scripts in force for the whole request (see `QuanziService.withPinnedScripts`): a
/// reload while the request runs does not change the rules, ranking or assignment it sees. The
/// response says which set served it, in `Quanzi-Scripts` (the set's version, as
/// `GET /v1/admin/plugins` and `/metrics` name it).
struct ScriptPinMiddleware: RouterMiddleware {
    typealias Context = QuanziRequestContext
    static let header = HTTPField.Name("Quanzi-Scripts")!
    let service: QuanziService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await service.withPinnedScripts { scripts in
            var response = try await next(request, context)
            response.headers[Self.header] = scripts.versions.setVersion
            return response
        }
    }
}
