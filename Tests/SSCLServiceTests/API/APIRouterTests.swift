import Foundation
import Logging
import SSCLHTTP
import Testing
@testable import SSCLService

/// The router in-process: `handle(HTTPRequest)` called directly, no socket.
@Suite(.serialized) struct APIRouterTests {
    static func router(_ f: ServiceFixture) -> APIRouter {
        APIRouter(configuration: f.service.configuration, store: f.service.store, scheduler: f.service.scheduler,
                  streams: f.service.streams, telemetry: f.service.telemetry, logger: Logger(label: "test"))
    }

    static func request(_ method: String, _ target: String, headers: HTTPHeaders = ["Host": "127.0.0.1"],
                        body: String = "") -> HTTPRequest {
        HTTPRequest(method: method, target: target, headers: headers, body: Data(body.utf8))
    }

    static func error(_ response: HTTPResponse) -> (code: String, message: String, details: [[String: Any]]) {
        guard case .data(let data) = response.body,
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let error = object["error"] as? [String: Any] else { return ("", "", []) }
        return (error["code"] as? String ?? "", error["message"] as? String ?? "", error["details"] as? [[String: Any]] ?? [])
    }

    @Test func routesMethodsAndPathsWithoutASocket() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let router = Self.router(f)
        #expect(router.handle(Self.request("GET", "/healthz")).status == 200)
        #expect(router.handle(Self.request("GET", "/v1/jobs")).status == 200)
        let missing = router.handle(Self.request("GET", "/v1/nothing"))
        #expect(missing.status == 404 && Self.error(missing).code == "not_found")
        #expect(router.handle(Self.request("GET", "/v1/jobs/nope")).status == 404)
        let wrong = router.handle(Self.request("PUT", "/v1/jobs"))
        #expect(wrong.status == 405)
        #expect(wrong.headers["Allow"] == "GET, HEAD, POST")
        #expect(router.handle(Self.request("DELETE", "/healthz")).headers["Allow"] == "GET, HEAD")
        let created = router.handle(Self.request("POST", "/v1/jobs?dry_run=true",
                                                 headers: ["Host": "127.0.0.1", "Content-Type": "application/json"],
                                                 body: ServiceFixture.tinyJob()))
        #expect(created.status == 200, "dry_run=true validates only")
    }

    @Test func unknownAndMalformedQueryParametersAreNamed() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let router = Self.router(f)
        for (target, name) in [("/v1/jobs?limt=5", "limt"), ("/v1/jobs?limit=0", "limit"), ("/v1/jobs?limit=abc", "limit"),
                               ("/v1/jobs?status=done", "status"), ("/v1/jobs?status=", "status"), ("/healthz?verbose=1", "verbose"),
                               ("/v1/jobs/x/logs?limit=-3", "limit"), ("/v1/jobs/x/metrics?max_points=1", "max_points"),
                               ("/v1/jobs/x/metrics?after_step=1.5", "after_step"), ("/v1/jobs/x/events?last_event_id=z", "last_event_id")] {
            let response = router.handle(Self.request("GET", target))
            #expect(response.status == 400, "\(target)")
            let error = Self.error(response)
            #expect(error.code == "invalid_parameters", "\(target)")
            #expect(error.details.first?["path"] as? String == name, "\(target): \(error.message)")
            #expect(error.message.hasPrefix(name + ":"), "\(target): \(error.message)")
        }
        let dryRun = router.handle(Self.request("POST", "/v1/jobs?dry_run=yes",
                                                headers: ["Host": "127.0.0.1", "Content-Type": "application/json"],
                                                body: ServiceFixture.tinyJob()))
        #expect(dryRun.status == 400 && Self.error(dryRun).details.first?["path"] as? String == "dry_run",
                "an unclear dry_run must not queue a job")
        let two = Self.error(router.handle(Self.request("GET", "/v1/jobs?limit=x&bogus=1")))
        #expect(Set(two.details.compactMap { $0["path"] as? String }) == ["limit", "bogus"])
        #expect(router.handle(Self.request("GET", "/v1/jobs?limit=500&status=queued")).status == 200)
        #expect(try f.service.store.listJobs(status: nil, limit: 10, cursor: nil).jobs.isEmpty, "nothing was queued")
    }

    /// RFC 9112 §3.2.2: an absolute-form target's authority replaces Host.
    @Test func absoluteFormTargetsAreCheckedByTheirAuthority() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let router = Self.router(f)
        #expect(router.handle(Self.request("GET", "http://evil.example/v1/jobs")).status == 421)
        #expect(router.handle(Self.request("GET", "http://evil.example:8080/healthz")).status == 421)
        #expect(router.handle(Self.request("GET", "http://127.0.0.1@evil.example/v1/jobs")).status == 400)
        #expect(router.handle(Self.request("GET", "http://localhost:1/v1/jobs", headers: ["Host": "evil.example"])).status == 200)
    }
}
