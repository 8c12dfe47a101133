#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
@testable import SSCLHTTP

/// Limits, timeouts and hostile input, over real sockets.
@Suite struct HTTPEventLoopTests {
    /// Sends `request` on a fresh connection; expects `status` with the JSON error shape, then a close.
    private func expectRejected(_ request: String, status: Int, code: String? = nil, server: HTTPServer,
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let client = try server.client()
        try client.send(request)
        let response = try client.readResponse()
        #expect(response.status == status, "\(request.debugDescription)", sourceLocation: sourceLocation)
        #expect(response["Content-Type"] == "application/json", sourceLocation: sourceLocation)
        #expect(response["Connection"] == "close", sourceLocation: sourceLocation)
        let document = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        let error = document?["error"] as? [String: String]
        #expect(error?["message"]?.isEmpty == false, sourceLocation: sourceLocation)
        if let code { #expect(error?["code"] == code, sourceLocation: sourceLocation) }
        #expect(client.closedByPeer(within: 3), sourceLocation: sourceLocation)
    }

    @Test func oversizedHeadGets431() throws {
        let server = try HTTPServer.make { $0.maxHeaderBytes = 4096 }
        defer { server.shutdown(gracePeriod: 1) }
        let big = String(repeating: "a", count: 5000)
        try expectRejected(get("/hello", headers: "X-Big: \(big)\r\n"), status: 431, code: "headers_too_large", server: server)
        // Without ever finishing the head: refused as soon as it passes the limit.
        try expectRejected("GET /\(big)", status: 431, server: server)
        // Just under the limit still works.
        let client = try server.client()
        try client.send(get("/hello", headers: "X-Fill: \(String(repeating: "b", count: 3900))\r\n"))
        #expect(try client.readResponse().status == 200)
    }

    @Test func oversizedBodyGets413BeforeItIsRead() throws {
        let server = try HTTPServer.make { $0.maxBodyBytes = 1000 }
        defer { server.shutdown(gracePeriod: 1) }
        // Only the head is sent: the answer cannot depend on reading the body.
        try expectRejected("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n", status: 413,
                           code: "body_too_large", server: server)
        try expectRejected("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
                           status: 413, server: server)
        // With the body following, the response still arrives intact (no reset).
        let client = try server.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n")
        try? client.send([UInt8](repeating: 65, count: 200_000))
        #expect(try client.readResponse().status == 413)
        let fits = try server.client()
        let body = String(repeating: "z", count: 1000)
        try fits.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n\(body)")
        #expect(try fits.readResponse().text == body)
    }

    @Test(arguments: [
        "GET /\r\n\r\n",
        "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
        "GET / HTTP/x.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u{01}b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET nopath HTTP/1.1\r\nHost: x\r\n\r\n",
        "G(T / HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /\u{7f} HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /é HTTP/1.1\r\nHost: x\r\n\r\n",
    ])
    func malformedRequestsGet400(request: String) throws {
        let server = try HTTPServer.make()
        defer { server.shutdown(gracePeriod: 1) }
        try expectRejected(request, status: 400, server: server)
    }

    @Test func unknownMethodGets501AndChunkedBodyGets411() throws {
        let server = try HTTPServer.make()
        defer { server.shutdown(gracePeriod: 1) }
        try expectRejected("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", status: 501, code: "not_implemented", server: server)
        try expectRejected("TRACE / HTTP/1.1\r\nHost: x\r\n\r\n", status: 501, server: server)
        try expectRejected(
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            status: 411, code: "length_required", server: server)
        try expectRejected("GET / HTTP/2.0\r\nHost: x\r\n\r\n", status: 505, server: server)
    }

    @Test func slowClientIsDisconnectedAfterTheHeaderTimeout() throws {
        let server = try HTTPServer.make { $0.headerTimeout = 0.3 }
        defer { server.shutdown(gracePeriod: 1) }
        let slow = try server.client()
        let started = Date()
        try slow.send("GET /hello HT")
        #expect(slow.closedByPeer(within: 3))
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 0.25 && elapsed < 2.5)
        // Dripping bytes does not extend the deadline either.
        let drip = try server.client()
        let dripStart = Date()
        var closed = false
        for byte in "GET /hello HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8 {
            if (try? drip.send([byte])) == nil { closed = true; break }
            usleep(50_000)
            if Date().timeIntervalSince(dripStart) > 1.5 { break }
        }
        #expect(closed || drip.closedByPeer(within: 1))
        // Meanwhile a normal client is served.
        let client = try server.client()
        try client.send(get("/hello"))
        #expect(try client.readResponse().status == 200)
    }

    @Test func idleKeepAliveConnectionsAreClosed() throws {
        let server = try HTTPServer.make { $0.idleTimeout = 0.3 }
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        try client.send(get("/hello"))
        #expect(try client.readResponse().status == 200)
        let started = Date()
        #expect(client.closedByPeer(within: 3))
        #expect(Date().timeIntervalSince(started) >= 0.2)
    }

    @Test func connectionsBeyondTheCapAreRefusedWhenNoneIsIdle() throws {
        let server = try HTTPServer.make { $0.maxConnections = 3 }
        defer { server.shutdown(gracePeriod: 1) }
        var open: [RawClient] = []
        for _ in 0..<3 {
            // Each has a request under way, so none can be closed to make room.
            let client = try server.client()
            try client.send("GET /hello HTTP/1.1\r\n")
            open.append(client)
        }
        let extra = try server.client()
        let refused = try extra.readResponse()
        #expect(refused.status == 503)
        #expect(refused.text.contains("too_many_connections"))
        #expect(extra.closedByPeer(within: 2))
        open.removeLast()
        let later = try #require(waitForService(server))
        #expect(later.status == 200)
        for client in open {
            try client.send("Host: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test func idleKeepAliveConnectionsMakeRoomForNewClients() throws {
        let server = try HTTPServer.make { $0.maxConnections = 3 }
        defer { server.shutdown(gracePeriod: 1) }
        var open: [RawClient] = []
        for _ in 0..<3 {
            let client = try server.client()
            try client.send(get("/hello"))
            #expect(try client.readResponse().status == 200)
            open.append(client)
        }
        // At the limit with every connection idle: the newcomer is served and the connection
        // idle the longest is closed for it.
        let newcomer = try server.client()
        try newcomer.send(get("/hello"))
        #expect(try newcomer.readResponse().status == 200)
        #expect(open[0].closedByPeer(within: 2))
        for client in open[1...] {
            try client.send(get("/hello"))
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test func connectionsPerAddressAreCapped() throws {
        let server = try HTTPServer.make { $0.maxConnectionsPerAddress = 2 }
        defer { server.shutdown(gracePeriod: 1) }
        var open: [RawClient] = []
        for _ in 0..<2 {
            let client = try server.client()
            try client.send(get("/hello"))
            #expect(try client.readResponse().status == 200)
            open.append(client)
        }
        let third = try server.client(timeout: 2)
        let refused = try third.readResponse()
        #expect(refused.status == 503)
        #expect(refused["Connection"] == "close")
        #expect(refused.text.contains("too_many_connections_from_address"))
        #expect(third.closedByPeer(within: 2))
        // Another address is served meanwhile.
        let other = try server.client(sourceAddress: "127.0.0.2")
        try other.send(get("/hello"))
        #expect(try other.readResponse().status == 200)
        // A closed connection frees its address's slot.
        open.removeFirst()
        let later = try #require(waitForService(server))
        #expect(later.status == 200)
    }

    /// Retries a GET until the server has noticed a freed slot.
    private func waitForService(_ server: HTTPServer) -> RawClient.Response? {
        for _ in 0..<50 {
            if let client = try? server.client(), (try? client.send(get("/hello"))) != nil,
               let response = try? client.readResponse(), response.status == 200 {
                return response
            }
            usleep(20_000)
        }
        return nil
    }

    @Test func thousandIdleConnectionsCostLittle() throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 4096 {
            limit.rlim_cur = min(limit.rlim_max, 4096)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let server = try HTTPServer.make { $0.maxConnections = 2000; $0.maxConnectionsPerAddress = 2000 }
        defer { server.shutdown(gracePeriod: 2) }
        let threadsBefore = Self.threadCount()
        var idle: [RawClient] = []
        for index in 0..<1000 {
            let client = try server.client()
            if index % 2 == 0 {
                // Half have spoken once and sit in keep-alive, half never sent a byte.
                try client.send(get("/hello"))
                _ = try client.readResponse()
            }
            idle.append(client)
        }
        // No thread per connection (other tests running in parallel may add a few of their own).
        #expect(Self.threadCount() - threadsBefore < 200)
        let started = Date()
        let client = try server.client()
        try client.send(get("/hello"))
        #expect(try client.readResponse().text == "hello")
        #expect(Date().timeIntervalSince(started) < 0.5)
        try idle[1].send(get("/hello"))
        #expect(try idle[1].readResponse().status == 200)
        try idle[998].send(get("/hello"))
        #expect(try idle[998].readResponse().status == 200)
    }

    private static func threadCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
    }

    @Test func randomBytesNeverCrashOrHangTheServer() throws {
        let server = try HTTPServer.make { $0.headerTimeout = 1; $0.maxHeaderBytes = 2048 }
        defer { server.shutdown(gracePeriod: 1) }
        var generator = SeededGenerator(seed: 42)
        let prefixes = ["", "GET / HTTP/1.1\r\n", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n", "GET /"]
        for round in 0..<200 {
            guard let client = try? server.client(timeout: 2) else { continue }
            var bytes = Array(prefixes[round % prefixes.count].utf8)
            let count = Int.random(in: 1...3000, using: &generator)
            for _ in 0..<count {
                // Bias towards bytes that matter to the parser.
                let special: [UInt8] = [13, 10, 32, 58, 37, 0, 9, 127, 255]
                bytes.append(Bool.random(using: &generator)
                    ? special.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator))
            }
            try? client.send(bytes)
            if round % 3 == 0 { client.shutdownWrite() }
            if round % 2 == 0 { _ = client.closedByPeer(within: 0.05) }
        }
        let client = try server.client()
        try client.send(get("/hello"))
        #expect(try client.readResponse().text == "hello")
    }
}

/// A small deterministic generator (SplitMix64) so a failing fuzz input can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
