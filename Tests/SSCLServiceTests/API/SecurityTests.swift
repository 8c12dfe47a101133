import Foundation
import Testing
@testable import SSCLService

@Suite(.serialized) struct SecurityTests {
    typealias C = HTTPTestClient

    @Test func tokenIsRequiredOnTheAPIIncludingEvents() throws {
        let f = try ServiceFixture(token: "s3cret")
        defer { f.stop() }
        #expect(try C.request("GET", "\(f.base)/v1/jobs").status == 401)
        #expect(try C.request("GET", "\(f.base)/v1/jobs", headers: ["Authorization": "Bearer wrong"]).status == 401)
        #expect(try C.request("GET", "\(f.base)/v1/jobs", headers: ["Authorization": "Bearer s3cret"]).status == 200)
        #expect(C.raw(port: f.port, "GET /v1/jobs/x/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", timeout: 3).hasPrefix("HTTP/1.1 401"))
        #expect(try C.request("GET", "\(f.base)/healthz").status == 200)
        #expect(try C.request("GET", "\(f.base)/").status == 200, "the dashboard itself loads and asks for the token")
    }

    @Test func foreignHostsAndCrossOriginPostsAreRefused() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let rebound = C.raw(port: f.port, "GET /v1/jobs HTTP/1.1\r\nHost: evil.example:\(f.port)\r\n\r\n", timeout: 3)
        #expect(rebound.hasPrefix("HTTP/1.1 421"))
        let crossOrigin = try C.request("POST", "\(f.base)/v1/jobs", body: ServiceFixture.tinyJob(),
                                        headers: ["Origin": "http://evil.example"])
        #expect(crossOrigin.status == 403)
        let sameOrigin = try C.request("POST", "\(f.base)/v1/jobs?dry_run=true", body: ServiceFixture.tinyJob(),
                                       headers: ["Origin": "http://127.0.0.1:\(f.port)"])
        #expect(sameOrigin.status == 200)
    }

    /// RFC 9112 §3.2.2: an absolute-form target's authority replaces Host, so it is what the
    /// DNS-rebinding check must look at (it used to check only the Host header).
    @Test func absoluteFormTargetsCannotBypassTheHostCheck() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        for target in ["http://evil.example/v1/jobs", "http://evil.example:\(f.port)/v1/jobs", "HTTPS://EVIL.example/healthz",
                       "http://evil.example?limit=1"] {
            let out = C.raw(port: f.port, "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(f.port)\r\nConnection: close\r\n\r\n", timeout: 3)
            #expect(out.hasPrefix("HTTP/1.1 421"), "\(target): \(out.prefix(60))")
        }
        let userinfo = C.raw(port: f.port, "GET http://127.0.0.1@evil.example/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", timeout: 3)
        #expect(userinfo.hasPrefix("HTTP/1.1 400"), "\(userinfo.prefix(60))")
        let own = C.raw(port: f.port, "GET http://127.0.0.1:\(f.port)/v1/jobs HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n", timeout: 3)
        #expect(own.hasPrefix("HTTP/1.1 200"), "the target's own authority is served: \(own.prefix(60))")
    }

    @Test func staticFilesNeverEscapePublic() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        for target in ["/../Package.swift", "/%2e%2e/Package.swift", "/js/%2e%2e/%2e%2e/Package.swift",
                       "/js/..%2f..%2fPackage.swift", "/%2e%2e%2fPackage.swift", "/.git/HEAD", "/%2E%2E/Package.swift",
                       "/..%5c..%5cPackage.swift", "/%252e%252e/Package.swift", "/js/../../Package.swift"] {
            let out = C.raw(port: f.port, "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", timeout: 3)
            #expect(out.hasPrefix("HTTP/1.1 404"), "\(target): \(out.prefix(40))")
            #expect(!out.contains("PackageDescription"))
        }
        let index = try C.request("GET", "\(f.base)/")
        #expect(index.status == 200 && index.text.contains("<html"))
        #expect(try C.request("GET", "\(f.base)/js/api.js").headers["content-type"]?.hasPrefix("text/javascript") == true)
    }

    @Test func nonLoopbackBindWithoutATokenIsRefused() throws {
        #expect(throws: TrainingService.StartError.self) {
            _ = try ServiceFixture { $0.host = "0.0.0.0" }
        }
    }
}
