import Foundation
import Testing
@testable import SSCLService

/// The OpenAPI document and the real routes agree, in both directions.
@Suite(.serialized) struct OpenAPIDocumentTests {
    typealias C = HTTPTestClient

    @Test func everyRouteIsDocumentedAndServed() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let doc = try C.request("GET", "\(f.base)/openapi.json").json
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths { for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") } }
        #expect(documented == Set(Route.all.map { "\($0.method) \($0.pattern)" }))

        let id = try #require(try C.request("POST", "\(f.base)/v1/jobs", body: ServiceFixture.tinyJob()).json["id"] as? String)
        for entry in documented.sorted() {
            let parts = entry.split(separator: " ")
            let method = String(parts[0])
            if method == "DELETE" || entry.hasSuffix("/events") { continue }
            let url = f.base + parts[1].replacingOccurrences(of: "{id}", with: id)
            let response = try C.request(method, url, body: method == "POST" ? "{}" : nil)
            let code = (response.json["error"] as? [String: Any])?["code"] as? String
            #expect(code != "not_found" || entry.contains("model") || entry.contains("checkpoint"), "\(entry) is not routed")
            #expect(response.status != 405, "\(entry) answers 405")
        }
        let metrics = try C.request("GET", "\(f.base)/metrics").text
        #expect(metrics.contains("sscl_jobs{status=\"queued\"}"))
        #expect(metrics.contains("sscl_http_requests_total"))
        #expect(metrics.contains("sscl_http_request_duration_seconds_bucket"))
        #expect(metrics.contains("sscl_training_images_per_second"))
        let datasets = try C.request("GET", "\(f.base)/v1/datasets").json["datasets"] as? [[String: Any]] ?? []
        #expect(Set(datasets.compactMap { $0["name"] as? String }) == ["fashion-mnist", "fashion-mnist-mini", "digits"])
        #expect(datasets.first { $0["name"] as? String == "digits" }?["available"] as? Bool == true)
        _ = try C.request("POST", "\(f.base)/v1/jobs/\(id)/cancel")
    }
}
