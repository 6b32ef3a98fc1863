/// The API description served at `/openapi.json`: a hand-kept OpenAPI 3.0 document, split into
/// fragments by area so each stays readable (one operation per line). `OpenAPITests` checks that
/// it parses and that every route the router registers appears in it with its method; the fuzz
/// run (`scripts/api_fuzz.sh`) checks that real responses match it.
enum OpenAPIDocument {
    static let json = """
    {
      "openapi": "3.0.3",
      "info": {
        "title": "Quanzi",
        "version": "1.0.0",
        "description": "Social features of a payments app, run as measured experiments. Money is integer fen; times are Unix epoch seconds. Every error is {\\"error\\": {\\"code\\", \\"message\\"}}. Money POSTs need an Idempotency-Key header; a replay returns the first response."
      },
      "servers": [{"url": "/"}],
      "security": [{"bearer": []}],
      "paths": {
    \(OpenAPIPaths.operations),
    \(OpenAPIPaths.people),
    \(OpenAPIPaths.appExperiments),
    \(OpenAPIPaths.circles),
    \(OpenAPIPaths.moderation),
    \(OpenAPIPaths.money),
    \(OpenAPIPaths.admin)
      },
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A token from `quanzi token USER`"}},
        "parameters": {
    \(OpenAPIComponents.parameters)
        },
        "responses": {
    \(OpenAPIComponents.responses)
        },
        "headers": {
    \(OpenAPIComponents.headers)
        },
        "schemas": {
    \(OpenAPIComponents.schemas)
        }
      }
    }
    """
}
