import Foundation
import Testing
@testable import SSCLHTTP

@Suite struct HTTPServerTests {
    @Test func getAndPostEcho() throws {
        let server = try HTTPServer.make()
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        try client.send(get("/hello"))
        let hello = try client.readResponse()
        #expect(hello.status == 200)
        #expect(hello.text == "hello")
        #expect(hello["Content-Length"] == "5")
        #expect(hello["Server"] == "sscl")
        #expect(hello["Date"]?.hasSuffix(" GMT") == true)
        #expect(hello["Connection"] == "keep-alive")

        let body = "{\"a\": [1, 2, 3], \"text\": \"héllo\"}"
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let echo = try client.readResponse()
        #expect(echo.status == 200)
        #expect(echo.text == body)
        #expect(echo["Content-Type"] == "application/json")
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        let server = try HTTPServer.make()
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        for index in 0..<10 {
            try client.send(get("/info?n=\(index)"))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text.contains("\"n\":\"\(index)\""))
        }
        try client.send("DELETE /thing HTTP/1.1\r\nHost: x\r\n\r\n")
        let deleted = try client.readResponse()
        #expect(deleted.status == 204)
        #expect(deleted["Content-Length"] == nil)
        try client.send(get("/hello"))
        #expect(try client.readResponse().text == "hello")
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let server = try HTTPServer.make { $0.handlerThreads = 4 }
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        // The slow one first: a later, faster request must not overtake it.
        try client.send(get("/slow?ms=200") + get("/hello") + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" + get("/info?n=4"))
        #expect(try client.readResponse().text == "slow")
        #expect(try client.readResponse().text == "hello")
        #expect(try client.readResponse().text == "abc")
        #expect(try client.readResponse().text.contains("\"n\":\"4\""))
    }

    @Test func connectionCloseIsHonoured() throws {
        let server = try HTTPServer.make()
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        try client.send(get("/hello", headers: "Connection: close\r\n"))
        let response = try client.readResponse()
        #expect(response.text == "hello")
        #expect(response["Connection"] == "close")
        #expect(client.closedByPeer(within: 2))

        let second = try server.client()
        try second.send(get("/close"))
        #expect(try second.readResponse()["Connection"] == "close")
        #expect(second.closedByPeer(within: 2))
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() throws {
        let server = try HTTPServer.make()
        defer { server.shutdown(gracePeriod: 1) }
        let plain = try server.client()
        try plain.send("GET /info HTTP/1.0\r\n\r\n")
        let response = try plain.readResponse()
        #expect(response.status == 200)
        #expect(response.text.contains("\"version\":\"HTTP\\/1.0\""))
        #expect(response["Connection"] == "close")
        #expect(plain.closedByPeer(within: 2))

        let kept = try server.client()
        for _ in 0..<3 {
            try kept.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let reply = try kept.readResponse()
            #expect(reply.text == "hello")
            #expect(reply["Connection"] == "keep-alive")
        }
    }

    @Test func headAnswersGetRoutesWithoutBody() throws {
        let server = try HTTPServer.make()
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        try client.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try client.readResponse(bodyExpected: false)
        #expect(head.status == 200)
        #expect(head["Content-Length"] == "5")
        try client.send(get("/info"))
        let info = try client.readResponse()
        #expect(info.text.contains("\"isHead\":false"))
        try client.send("HEAD /info HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try client.readResponse(bodyExpected: false)
        try client.send(get("/hello"))
        #expect(try client.readResponse().text == "hello")
    }

    @Test func pathAndQueryArePercentDecoded() throws {
        let server = try HTTPServer.make()
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        try client.send(get("/info?name=J%C3%BCrgen+X&x=1&x=2&empty&sp=a%20b%2Bc"))
        let info = try JSONSerialization.jsonObject(with: try client.readResponse().body) as! [String: Any]
        let query = info["query"] as! [String: String]
        #expect(query["name"] == "Jürgen X")
        #expect(query["x"] == "2")
        #expect(query["empty"] == "")
        #expect(query["sp"] == "a b+c")
        #expect(info["path"] as? String == "/info")

        try client.send(get("/a%20b/c%2Fd%C3%A9?q=1"))
        let notFound = try client.readResponse()
        #expect(notFound.status == 404)
        #expect(notFound.text.contains("no route for /a b/c/dé"))
    }

    @Test func largeBodiesAndFilesAreWrittenCompletely() throws {
        let server = try HTTPServer.make()
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        let count = 2 << 20
        try client.send(get("/big?bytes=\(count)"))
        let big = try client.readResponse()
        #expect(big.body.count == count)
        #expect(big.body == Data((0..<count).map { UInt8(truncatingIfNeeded: $0 % 251) }))

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sscl-http-\(UUID().uuidString).bin")
        let contents = Data((0..<(1 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try contents.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        try client.send(get("/file?path=\(url.path)"))
        let file = try client.readResponse()
        #expect(file.status == 200)
        #expect(file["Content-Type"] == "application/octet-stream")
        #expect(file.body == contents)

        try client.send("HEAD /file?path=\(url.path) HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try client.readResponse(bodyExpected: false)
        #expect(head["Content-Length"] == String(contents.count))

        try client.send(get("/file?path=/nonexistent/file"))
        let missing = try client.readResponse()
        #expect(missing.status == 404)
        #expect(missing["Content-Type"] == "application/json")
    }

    @Test func expectContinueGetsAnInterimResponse() throws {
        let server = try HTTPServer.make()
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        #expect(try client.read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 100 Continue"))
        try client.send("ping")
        #expect(try client.readResponse().text == "ping")
    }

    @Test func everyRequestIsLoggedAndReported() throws {
        let log = CapturedLog()
        let reported = LockedValue<[String]>([])
        let server = try HTTPServer.make(logger: log.logger, onRequestCompleted: { request, status, seconds in
            reported.withLock { $0.append("\(request.wireMethod) \(request.path) \(status) \(seconds >= 0)") }
        })
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        try client.send(get("/hello"))
        _ = try client.readResponse()
        try client.send("HEAD /missing HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try client.readResponse(bodyExpected: false)
        try client.send("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try client.readResponse()
        #expect(eventually { reported.withLock { $0.count } == 3 })
        #expect(reported.withLock { $0 } == ["GET /hello 200 true", "HEAD /missing 404 true", "BREW /pot 501 true"])
        let lines = log.lines
        #expect(lines.contains { $0.hasPrefix("info GET /hello 200 ") && $0.hasSuffix("ms") })
        #expect(lines.contains { $0.hasPrefix("info HEAD /missing 404 ") })
        #expect(lines.contains { $0.hasPrefix("info BREW /pot 501 ") })
    }

    @Test func shutdownFinishesTheRequestInFlight() throws {
        let server = try HTTPServer.make()
        let idle = try server.client()
        try idle.send(get("/hello"))
        _ = try idle.readResponse()
        let client = try server.client()
        try client.send(get("/slow?ms=600"))
        usleep(150_000)
        let started = Date()
        let done = LockedValue(false)
        let thread = Thread {
            server.shutdown(gracePeriod: 5)
            done.withLock { $0 = true }
        }
        thread.start()
        #expect(idle.closedByPeer(within: 2))
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "slow")
        #expect(response["Connection"] == "close")
        #expect(eventually { done.withLock { $0 } })
        #expect(Date().timeIntervalSince(started) >= 0.3)
        #expect(throws: RawClient.Failure.self) { try server.client() }
    }

    @Test func bindsToAnIPv6Loopback() throws {
        let server = try HTTPServer.make { $0.host = "::1" }
        defer { server.shutdown(gracePeriod: 1) }
        #expect(server.port > 0)
    }

    @Test func secondStartIsRefused() throws {
        let server = try HTTPServer.make()
        defer { server.shutdown(gracePeriod: 1) }
        #expect(throws: HTTPServerError.self) { try server.start() }
    }
}
