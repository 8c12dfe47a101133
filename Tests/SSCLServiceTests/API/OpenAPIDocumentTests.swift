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
        #expect(documented == Set(APIRouter.routes.map { "\($0.method) \($0.pattern)" }))

        let id = try #require(try C.request("POST", "\(f.base)/v1/jobs", body: ServiceFixture.tinyJob()).json["id"] as? String)
        for entry in documented.sorted() {
            let parts = entry.split(separator: " ")
            let method = String(parts[0])
            if method == "DELETE" || entry.hasSuffix("/events") { continue }
            let url = f.base + parts[1].replacingOccurrences(of: "{id}", with: id)
            let response = try C.request(method, url, body: method == "POST" ? "{}" : nil)
            let code = (response.json["error"] as? [String: Any])?["code"] as? String
            // A job id is no sweep id: those routes answer their own not_found.
            #expect(code != "not_found" || entry.contains("model") || entry.contains("checkpoint") || entry.contains("datasets/{id}")
                    || entry.contains("/v1/sweeps/"),
                    "\(entry) is not routed")
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

    /// One raw request on its own connection; returns the status (0 when none came).
    static func status(_ port: Int, _ method: String, _ target: String, headers: [String: String] = [:],
                       body: String? = nil, contentType: String = "application/json") -> Int {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        var fields = headers
        if let body {
            fields["Content-Type"] = fields["Content-Type"] ?? contentType
            fields["Content-Length"] = fields["Content-Length"] ?? String(body.utf8.count)
        }
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            if name == "Host" {
                head = head.replacingOccurrences(of: "Host: 127.0.0.1:\(port)", with: "Host: \(value)")
            } else {
                head += "\(name): \(value)\r\n"
            }
        }
        let out = C.raw(port: port, head + "\r\n" + (body ?? ""), timeout: 10)
        let line = out.prefix { $0 != "\r" }.split(separator: " ")
        return line.count >= 2 ? Int(line[1]) ?? 0 : 0
    }

    /// Issue 8, point 16: for every route, each status the document lists is provoked with
    /// the input that should cause it and comes back, and every probe's status is documented.
    @Test func everyDocumentedStatusIsWhatTheRouteReturns() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let tokened = try ServiceFixture(token: "s3cret")
        defer { tokened.stop() }
        let doc = try C.request("GET", "\(f.base)/openapi.json").json
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        func documented(_ route: Route) -> Set<Int> {
            let operation = paths[route.pattern]?[route.method.lowercased()] as? [String: Any]
            return Set((operation?["responses"] as? [String: Any] ?? [:]).keys.compactMap { Int($0) })
        }

        // Jobs in each state the probes need.
        let done = try #require(try C.request("POST", "\(f.base)/v1/jobs", body: ServiceFixture.tinyJob()).json["id"] as? String)
        #expect(C.waitUntil(90) { (try? C.request("GET", "\(f.base)/v1/jobs/\(done)").json["status"] as? String) == "succeeded" })
        let long = ServiceFixture.tinyJob(name: "long", epochs: 5000)
        let busy = try #require(try C.request("POST", "\(f.base)/v1/jobs", body: long).json["id"] as? String)
        let cancelled = try #require(try C.request("POST", "\(f.base)/v1/jobs", body: long).json["id"] as? String)
        #expect(try C.request("POST", "\(f.base)/v1/jobs/\(cancelled)/cancel").status == 200)
        let scratch = try #require(try C.request("POST", "\(f.base)/v1/jobs", body: long).json["id"] as? String)
        let pending = try #require(try C.request("POST", "\(f.base)/v1/jobs", body: long).json["id"] as? String)
        _ = try C.request("POST", "\(f.base)/v1/jobs", body: ServiceFixture.tinyJob(name: "keyed"), headers: ["Idempotency-Key": "k1"])
        let longSweep = #"{"base": \#(long), "parameters": {"loss.beta": {"values": [1]}}}"#
        func sweepID() throws -> String {
            let id = try C.request("POST", "\(f.base)/v1/sweeps", body: longSweep).json["id"] as? String
            return try #require(id)
        }
        let shownSweep = try sweepID(), endedSweep = try sweepID(), openSweep = try sweepID()
        #expect(try C.request("POST", "\(f.base)/v1/sweeps/\(endedSweep)/cancel").status == 200)
        // An upload, and a queued job on it.
        var csv = "a,b,label\n"
        for i in 0..<80 { csv += "\(i % 7),\(i % 3),\(i % 2)\n" }
        #expect(try C.request("POST", "\(f.base)/v1/datasets?name=inuse&format=csv", body: csv, contentType: "text/csv").status == 201)
        #expect(try C.request("POST", "\(f.base)/v1/datasets?name=spare&format=csv", body: csv, contentType: "text/csv").status == 201)
        let onUpload = try #require(try C.request("POST", "\(f.base)/v1/jobs", body: """
            {"dataset": {"name": "inuse"}, "model": {"hidden": [8], "projection": [8, 4]}, "epochs": 5000, "batch_size": 32}
            """).json["id"] as? String)

        // The probes: for each route and status, the request that must produce it.
        typealias Probe = () -> Int
        func p(_ method: String, _ target: String, headers: [String: String] = [:], body: String? = nil,
               contentType: String = "application/json", server: ServiceFixture? = nil) -> Probe {
            let port = (server ?? f).port
            return { Self.status(port, method, target, headers: headers, body: body, contentType: contentType) }
        }
        var probes: [String: [Int: Probe]] = [:]
        for route in APIRouter.routes {
            let key = "\(route.method) \(route.pattern)"
            let target = { (id: String) in route.pattern.replacingOccurrences(of: "{id}", with: id) }
            let body: String? = route.method == "POST" ? "{}" : nil
            var map: [Int: Probe] = [
                400: p(route.method, target(done) + "?no_such_parameter=1", body: body),
                421: p(route.method, target(done), headers: ["Host": "evil.example"], body: body),
            ]
            if route.isAPI { map[401] = p(route.method, target(done), body: body, server: tokened) }
            if route.method != "GET" { map[403] = p(route.method, target(done), headers: ["Origin": "http://evil.example"], body: body) }
            if route.hasIDParameter { map[404] = p(route.method, target("no-such-job"), body: body) }
            if case .json = route.body {
                map[413] = p(route.method, target(done), headers: ["Content-Length": "99999999"], body: "")
                map[415] = p(route.method, target(done), body: "{}", contentType: "text/plain")
            }
            probes[key] = map
        }
        func add(_ method: String, _ pattern: String, _ status: Int, _ probe: @escaping Probe) { probes["\(method) \(pattern)"]![status] = probe }
        for pattern in ["/healthz", "/metrics", "/openapi.json", "/v1/datasets", "/v1/defaults", "/v1/jobs"] {
            add("GET", pattern, 200, p("GET", pattern))
        }
        for suffix in ["", "/metrics", "/events", "/logs", "/model.safetensors", "/checkpoint", "/similarity_histograms"] {
            add("GET", "/v1/jobs/{id}" + suffix, 200, p("GET", "/v1/jobs/\(done)\(suffix)"))
        }
        add("GET", "/v1/jobs", 400, p("GET", "/v1/jobs?cursor=garbage"))
        add("GET", "/v1/jobs", 404, p("GET", "/v1/jobs?sweep=swp_0000000000000"))
        add("GET", "/v1/jobs/{id}/events", 400, p("GET", "/v1/jobs/\(done)/events", headers: ["Last-Event-ID": "abc"]))
        add("POST", "/v1/jobs", 201, p("POST", "/v1/jobs", body: ServiceFixture.tinyJob(name: "probe", epochs: 5000)))
        add("POST", "/v1/jobs", 200, p("POST", "/v1/jobs?dry_run=true", body: ServiceFixture.tinyJob()))
        #expect(p("POST", "/v1/jobs", body: "{\"dataset\": ")() == 400, "malformed JSON")
        #expect(p("GET", "/v1/jobs/\(done)/events", headers: ["Last-Event-ID": ""])() == 400, "an empty Last-Event-ID (schemathesis)")
        add("POST", "/v1/jobs", 409, p("POST", "/v1/jobs", headers: ["Idempotency-Key": "k1"], body: ServiceFixture.tinyJob(name: "other")))
        add("POST", "/v1/jobs", 422, p("POST", "/v1/jobs", body: "{\"epochs\": 0}"))
        add("POST", "/v1/jobs/{id}/cancel", 200, p("POST", "/v1/jobs/\(scratch)/cancel"))
        add("POST", "/v1/jobs/{id}/cancel", 202, p("POST", "/v1/jobs/\(busy)/cancel"))
        add("POST", "/v1/jobs/{id}/cancel", 400, p("POST", "/v1/jobs/\(busy)/cancel", body: "[1]"))
        add("POST", "/v1/jobs/{id}/cancel", 409, p("POST", "/v1/jobs/\(done)/cancel"))
        add("POST", "/v1/jobs/{id}/cancel", 422, p("POST", "/v1/jobs/\(busy)/cancel", body: "{\"now\": true}"))
        add("POST", "/v1/jobs/{id}/retry", 200, p("POST", "/v1/jobs/\(cancelled)/retry", body: "{\"fresh\": true}"))
        add("POST", "/v1/jobs/{id}/retry", 400, p("POST", "/v1/jobs/\(cancelled)/retry", body: "not json"))
        add("POST", "/v1/jobs/{id}/retry", 409, p("POST", "/v1/jobs/\(done)/retry"))
        add("POST", "/v1/jobs/{id}/retry", 422, p("POST", "/v1/jobs/\(cancelled)/retry", body: "{\"fresh\": 1}"))
        add("GET", "/v1/jobs/{id}/model.safetensors", 409, p("GET", "/v1/jobs/\(busy)/model.safetensors"))
        add("GET", "/v1/jobs/{id}/checkpoint", 409, p("GET", "/v1/jobs/\(scratch)/checkpoint"))
        // `scratch` never trains (it is cancelled while queued): it never has weights.
        let pixels = #"{"inputs": [[\#(Array(repeating: "0", count: 784).joined(separator: ","))]], "k": 3}"#
        for name in ["embed", "neighbors"] {
            let pattern = "/v1/jobs/{id}/" + name
            add("POST", pattern, 200, p("POST", "/v1/jobs/\(done)/\(name)", body: pixels))
            add("POST", pattern, 409, p("POST", "/v1/jobs/\(scratch)/\(name)", body: pixels))
            add("POST", pattern, 413, p("POST", "/v1/jobs/\(done)/\(name)", headers: ["Content-Length": "99999999"], body: ""))
            add("POST", pattern, 415, p("POST", "/v1/jobs/\(done)/\(name)", body: "{}", contentType: "text/plain"))
            add("POST", pattern, 422, p("POST", "/v1/jobs/\(done)/\(name)", body: #"{"inputs": [[1]]}"#))
        }
        add("GET", "/v1/jobs/{id}/projection", 200, p("GET", "/v1/jobs/\(done)/projection"))
        add("GET", "/v1/jobs/{id}/projection", 409, p("GET", "/v1/jobs/\(scratch)/projection"))
        add("GET", "/v1/jobs/{id}/items/{index}", 200, p("GET", "/v1/jobs/\(done)/items/0"))
        add("GET", "/v1/jobs/{id}/items/{index}", 409, p("GET", "/v1/jobs/\(scratch)/items/0"))
        add("GET", "/v1/jobs/{id}/items/{index}", 404, p("GET", "/v1/jobs/\(done)/items/100000"))
        let refusing = try ServiceFixture { $0.maxInferenceRequests = 0 }
        defer { refusing.stop() }
        let refused = try #require(try C.request("POST", "\(refusing.base)/v1/jobs", body: ServiceFixture.tinyJob()).json["id"] as? String)
        for name in ["embed", "neighbors"] {
            add("POST", "/v1/jobs/{id}/" + name, 503, p("POST", "/v1/jobs/\(refused)/\(name)", body: pixels, server: refusing))
        }
        add("GET", "/v1/jobs/{id}/projection", 503, p("GET", "/v1/jobs/\(refused)/projection", server: refusing))
        add("GET", "/v1/jobs/{id}/items/{index}", 503, p("GET", "/v1/jobs/\(refused)/items/0", server: refusing))
        add("POST", "/v1/jobs", 400, p("POST", "/v1/jobs", headers: ["Idempotency-Key": String(repeating: "k", count: 201)],
                                       body: ServiceFixture.tinyJob()))
        add("GET", "/v1/sweeps", 200, p("GET", "/v1/sweeps"))
        add("POST", "/v1/sweeps", 201, p("POST", "/v1/sweeps", body: longSweep))
        add("POST", "/v1/sweeps", 200, p("POST", "/v1/sweeps?dry_run=true", body: longSweep))
        add("POST", "/v1/sweeps", 422, p("POST", "/v1/sweeps", body: #"{"base": {}, "parameters": {}}"#))
        #expect(p("POST", "/v1/sweeps", body: "{\"base\": ")() == 400, "malformed JSON")
        add("GET", "/v1/sweeps/{id}", 200, p("GET", "/v1/sweeps/\(shownSweep)"))
        add("GET", "/v1/sweeps/{id}/results.csv", 200, p("GET", "/v1/sweeps/\(shownSweep)/results.csv"))
        add("POST", "/v1/sweeps/{id}/cancel", 200, p("POST", "/v1/sweeps/\(openSweep)/cancel"))
        add("POST", "/v1/sweeps/{id}/cancel", 409, p("POST", "/v1/sweeps/\(endedSweep)/cancel"))
        add("POST", "/v1/datasets", 201, p("POST", "/v1/datasets?name=probe&format=csv", body: csv, contentType: "text/csv"))
        add("POST", "/v1/datasets", 409, p("POST", "/v1/datasets?name=digits&format=csv", body: csv, contentType: "text/csv"))
        add("POST", "/v1/datasets", 413, p("POST", "/v1/datasets?name=huge&format=csv", headers: ["Content-Length": "99999999999"], body: ""))
        add("POST", "/v1/datasets", 422, p("POST", "/v1/datasets?name=broken&format=csv", body: "x\n1\n", contentType: "text/csv"))
        add("GET", "/v1/datasets/{id}", 200, p("GET", "/v1/datasets/inuse"))
        add("DELETE", "/v1/datasets/{id}", 409, p("DELETE", "/v1/datasets/inuse"))
        add("DELETE", "/v1/datasets/{id}", 204, p("DELETE", "/v1/datasets/spare"))
        add("DELETE", "/v1/jobs/{id}", 409, p("DELETE", "/v1/jobs/\(pending)"))
        add("DELETE", "/v1/jobs/{id}", 204, p("DELETE", "/v1/jobs/\(done)"))  // last: the other probes use the job

        let order: [Int] = [400, 401, 403, 404, 409, 413, 415, 421, 422, 200, 201]
        for route in APIRouter.routes.sorted(by: { $0.method == "DELETE" ? false : $1.method == "DELETE" }) {
            let key = "\(route.method) \(route.pattern)"
            let map = probes[key] ?? [:]
            #expect(Set(map.keys) == documented(route), "\(key): probes \(map.keys.sorted()) but documents \(documented(route).sorted())")
            for status in map.keys.sorted(by: { (order.firstIndex(of: $0) ?? 99) < (order.firstIndex(of: $1) ?? 99) }) {
                let got = map[status]!()
                #expect(got == status, "\(key): the probe for \(status) got \(got)")
            }
        }
        for id in [busy, scratch, cancelled, pending, onUpload] { _ = try? C.request("POST", "\(f.base)/v1/jobs/\(id)/cancel") }
        for sweep in (try C.request("GET", "\(f.base)/v1/sweeps").json["sweeps"] as? [[String: Any]] ?? []) {
            _ = try? C.request("POST", "\(f.base)/v1/sweeps/\(sweep["id"] as? String ?? "")/cancel")
        }
    }
}
