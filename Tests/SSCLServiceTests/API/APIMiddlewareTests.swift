import Foundation
import SSCLHTTP
import Testing
@testable import SSCLService

/// Each step in front of the route table, alone: a `next` that records whether it was reached.
@Suite struct APIMiddlewareTests {
    static func configuration(token: String? = nil, host: String = "127.0.0.1") -> ServiceConfiguration {
        var c = ServiceConfiguration(dataDirectory: URL(fileURLWithPath: "/nonexistent"))
        c.token = token
        c.host = host
        c.allowedHosts = ["box.lan"]
        return c
    }

    /// The status the step answers, or 0 when it passed the request on.
    static func run(_ step: any APIMiddleware, _ method: String, _ target: String, _ headers: HTTPHeaders) -> Int {
        let request = HTTPRequest(method: method, target: target, headers: headers)
        do {
            return try step.handle(request) { _ in .empty(0) }.status
        } catch let error as APIError {
            return error.status
        } catch {
            return -1
        }
    }

    @Test func hostCheck() {
        let step = HostCheck(configuration: Self.configuration())
        #expect(Self.run(step, "GET", "/v1/jobs", ["Host": "127.0.0.1:8080"]) == 0)
        #expect(Self.run(step, "GET", "/v1/jobs", ["Host": "LOCALHOST"]) == 0)
        #expect(Self.run(step, "GET", "/v1/jobs", ["Host": "[::1]:80"]) == 0)
        #expect(Self.run(step, "GET", "/v1/jobs", ["Host": "box.lan:8080"]) == 0)
        #expect(Self.run(step, "GET", "/v1/jobs", [:]) == 0, "HTTP/1.0 without Host")
        #expect(Self.run(step, "GET", "/v1/jobs", ["Host": "evil.example"]) == 421)
        #expect(Self.run(step, "GET", "http://evil.example/v1/jobs", ["Host": "127.0.0.1"]) == 421)
        #expect(Self.run(step, "GET", "HTTP://evil.example?x", ["Host": "127.0.0.1"]) == 421)
        #expect(Self.run(step, "GET", "http://127.0.0.1:9/v1/jobs", ["Host": "evil.example"]) == 0)
        #expect(Self.run(step, "GET", "http://127.0.0.1@evil.example/", ["Host": "127.0.0.1"]) == 400)
        #expect(Self.run(step, "GET", "http:///v1/jobs", ["Host": "127.0.0.1"]) == 400)
        let public_ = HostCheck(configuration: Self.configuration(token: "t", host: "0.0.0.0"))
        #expect(Self.run(public_, "GET", "/v1/jobs", ["Host": "evil.example"]) == 0, "a public bind serves any name")
    }

    @Test func tokenCheck() {
        let step = TokenCheck(configuration: Self.configuration(token: "s3cret"))
        #expect(Self.run(step, "GET", "/v1/jobs", [:]) == 401)
        #expect(Self.run(step, "GET", "/v1/jobs", ["Authorization": "Bearer wrong"]) == 401)
        #expect(Self.run(step, "GET", "/v1/jobs", ["Authorization": "Basic s3cret"]) == 401)
        #expect(Self.run(step, "GET", "/v1/jobs", ["Authorization": "bearer s3cret"]) == 0)
        #expect(Self.run(step, "GET", "/healthz", [:]) == 0)
        #expect(Self.run(step, "GET", "/", [:]) == 0)
        #expect(Self.run(TokenCheck(configuration: Self.configuration()), "GET", "/v1/jobs", [:]) == 0)
    }

    @Test func originCheck() {
        let open = OriginCheck(configuration: Self.configuration())
        #expect(Self.run(open, "POST", "/v1/jobs", ["Host": "127.0.0.1:80", "Origin": "http://evil.example"]) == 403)
        #expect(Self.run(open, "POST", "/v1/jobs", ["Host": "127.0.0.1:80", "Origin": "null"]) == 403)
        #expect(Self.run(open, "POST", "/v1/jobs", ["Host": "127.0.0.1:80", "Origin": "http://127.0.0.1:80"]) == 0)
        #expect(Self.run(open, "POST", "/v1/jobs", ["Host": "127.0.0.1:80"]) == 0, "no Origin: not a browser")
        #expect(Self.run(open, "GET", "/v1/jobs", ["Host": "127.0.0.1:80", "Origin": "http://evil.example"]) == 0)
        #expect(Self.run(open, "POST", "http://evil.example/v1/jobs", ["Host": "127.0.0.1:80", "Origin": "http://127.0.0.1:80"]) == 403,
                "compared with the target's authority, not Host")
        let tokened = OriginCheck(configuration: Self.configuration(token: "t"))
        #expect(Self.run(tokened, "POST", "/v1/jobs", ["Host": "127.0.0.1", "Origin": "http://evil.example"]) == 0,
                "with a token, /v1 is authenticated by it")
        #expect(Self.run(tokened, "POST", "/healthz", ["Host": "127.0.0.1", "Origin": "http://evil.example"]) == 403)
    }
}
