import Core
import Foundation
import HummingbirdTesting
import Testing

@testable import Server

@Suite("/healthz, /metrics, /openapi.json")
struct OperationsTests {
    @Test("healthz answers without a token")
    func health() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let response = try await client.call(.get, "/healthz")
            #expect(response.status == .ok)
            #expect(try field(response.object(), "status", as: String.self) == "ok")
        }
    }

    @Test("metrics count requests and time them per route pattern, and show money, Lua and feed timings")
    func metrics() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        _ = try await fixture.token(3)
        try await fixture.fund(2, fen: 100)
        try await fixture.app().test(.router) { client in
            _ = try await client.call(.get, "/v1/users/3", token: token)
            _ = try await client.call(.get, "/v1/users/404", token: token)
            _ = try await client.call(.post, "/v1/wallet/transfers", token: token, json: #"{"to_user_id": 3, "amount_fen": 5}"#, key: "m")
            _ = try await client.call(.get, "/v1/circles/campus-diary", token: token)
            _ = try await client.call(.get, "/v1/circles/campus-diary/feed", token: token)
            let response = try await client.call(.get, "/metrics")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = response.text
            #expect(text.contains(#"quanzi_http_requests_total{route="/v1/users/{id}",method="GET",status="200"} 1"#))
            #expect(text.contains(#"quanzi_http_requests_total{route="/v1/users/{id}",method="GET",status="404"} 1"#))
            #expect(text.contains(#"quanzi_http_request_duration_seconds_bucket{route="/v1/users/{id}",method="GET",status="200",le="#))
            #expect(text.contains(#"quanzi_ledger_requests_total{kind="transfer",outcome="ok"} 1"#))
            #expect(text.contains("quanzi_lua_call_duration_seconds_count 6"))
            #expect(text.contains("quanzi_feed_ranking_duration_seconds_count 1"))
            #expect(text.contains("quanzi_group_commit_batches"))
        }
    }

    @Test("metrics show the feed views recorded and how they were batched")
    func viewMetrics() async throws {
        let fixture = try APIFixture()
        let token = try await fixture.token(2)
        _ = try await fixture.token(3)
        for body in ["one", "two"] { _ = try fixture.service.createPost(by: UserID(3), in: CircleID("campus-diary"), body: body) }
        try await fixture.app().test(.router) { client in
            let feed = try await client.call(.get, "/v1/circles/campus-diary/feed", token: token)
            #expect(feed.status == .ok)
            let text = try await client.call(.get, "/metrics").text
            let values = Dictionary(
                text.split(separator: "\n").filter { $0.hasPrefix("quanzi_feed_view") }.compactMap { line -> (String, Double)? in
                    let parts = line.split(separator: " ")
                    guard parts.count == 2, let value = Double(parts[1]) else { return nil }
                    return (String(parts[0]), value)
                }, uniquingKeysWith: { first, _ in first })
            #expect(values["quanzi_feed_views"] == 2)
            #expect(values["quanzi_feed_view_batches"] == 1 && values["quanzi_feed_view_batch_size_max"] == 2)
            #expect(values["quanzi_feed_views_failed"] == 0)
        }
    }

    @Test("the OpenAPI document parses and describes every registered route and method (the console's HTML pages aside)")
    func openAPICoversRoutes() async throws {
        let fixture = try APIFixture()
        let router = buildRouter(service: fixture.service, metrics: fixture.metrics)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try field(document, "paths", as: [String: [String: Any]].self)
        var registered: Set<String> = []
        for route in router.routes {
            // Hummingbird writes `:id`; OpenAPI writes `{id}`.
            let path = "\(route.path)".split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            let openAPIPath = "/" + path.joined(separator: "/")
            // The console is pages for people, not the JSON API the document describes.
            if path.first == "console" { continue }
            let method = route.method.rawValue.lowercased()
            registered.insert("\(method) \(openAPIPath)")
            #expect(paths[openAPIPath]?[method] != nil, "\(method.uppercased()) \(openAPIPath) is not in the OpenAPI document")
        }
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0) \(path)" } })
        #expect(documented == registered, "documented but not routed: \(documented.subtracting(registered))")
        try await fixture.app().test(.router) { client in
            let served = try await client.call(.get, "/openapi.json")
            #expect(served.status == .ok)
            #expect(served.text == OpenAPIDocument.json)
        }
    }

    @Test("every $ref in the OpenAPI document resolves")
    func openAPIReferences() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        var references: [String] = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                if let reference = object["$ref"] as? String { references.append(reference) }
                object.values.forEach(collect)
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        collect(document)
        #expect(!references.isEmpty)
        for reference in Set(references) {
            var node: Any? = document
            for part in reference.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] }
            #expect(node != nil, "unresolved \(reference)")
        }
    }

    @Test("every link in the OpenAPI document names a documented operation and one of its parameters")
    func openAPILinks() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try field(document, "paths", as: [String: [String: Any]].self)
        let components = try field(document, "components", as: [String: Any].self)
        let sharedParameters = try field(components, "parameters", as: [String: [String: Any]].self)
        var parametersByOperation: [String: Set<String>] = [:]
        var links: [[String: Any]] = []
        for operations in paths.values {
            for case let operation as [String: Any] in operations.values {
                guard let id = operation["operationId"] as? String else { continue }
                let parameters = (operation["parameters"] as? [[String: Any]] ?? []).compactMap { parameter -> String? in
                    if let reference = parameter["$ref"] as? String { return sharedParameters[String(reference.split(separator: "/").last ?? "")]?["name"] as? String }
                    return parameter["name"] as? String
                }
                parametersByOperation[id] = Set(parameters)
                for case let response as [String: Any] in (operation["responses"] as? [String: Any] ?? [:]).values {
                    links += (response["links"] as? [String: [String: Any]] ?? [:]).values
                }
            }
        }
        #expect(!links.isEmpty)
        for link in links {
            let target = try #require(link["operationId"] as? String)
            let known = try #require(parametersByOperation[target], "a link names '\(target)', which no operation has")
            for name in (link["parameters"] as? [String: Any] ?? [:]).keys {
                #expect(known.contains(name), "a link to \(target) sets '\(name)', which it does not take")
            }
        }
    }
}
