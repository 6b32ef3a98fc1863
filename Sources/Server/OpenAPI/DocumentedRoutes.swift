import Foundation
import HTTPTypes

/// The routes `/openapi.json` documents, by path template: where the router finds no route for
/// a request, this says whether the path exists with other methods (405 and `Allow`) or not at
/// all (404). Derived from the document, which `OpenAPITests` keeps equal to the router's routes,
/// so a route is declared once.
enum DocumentedRoutes {
    struct Template {
        /// Literal segments, or nil for a `{parameter}`.
        let segments: [Substring?]
        let methods: [String]
    }

    static let templates: [Template] = {
        guard let document = try? JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any],
            let paths = document["paths"] as? [String: [String: Any]]
        else { preconditionFailure("OpenAPIDocument.json does not parse; OpenAPITests says why") }
        let known = ["get", "put", "post", "delete", "patch", "head", "options"]
        return paths.map { path, operations in
            Template(
                segments: path.split(separator: "/").map { $0.hasPrefix("{") ? nil : $0 },
                methods: known.filter { operations[$0] != nil }.map { $0.uppercased() })
        }
    }()

    /// The methods documented for `path` (no query), sorted; empty when no template matches.
    /// As in the router, a literal segment wins over a parameter: `/v1/friends/suggestions` is
    /// that route, not `/v1/friends/{id}`.
    static func methods(forPath path: String) -> [String] {
        let segments = path.split(separator: "/")
        var best: (literals: Int, methods: Set<String>) = (-1, [])
        for template in templates where template.segments.count == segments.count {
            guard zip(template.segments, segments).allSatisfy({ literal, segment in literal == nil || literal == segment }) else { continue }
            let literals = template.segments.count { $0 != nil }
            if literals > best.literals {
                best = (literals, Set(template.methods))
            } else if literals == best.literals {
                best.methods.formUnion(template.methods)
            }
        }
        return best.methods.sorted()
    }
}
