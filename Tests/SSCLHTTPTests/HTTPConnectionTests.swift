#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
@testable import SSCLHTTP

/// A connection's phases over real sockets: what a half-closed peer costs the loop, and the
/// deadlines that bound a slow request head or body.
@Suite struct HTTPConnectionTests {
    /// CPU seconds the loop thread used while `activity` ran for `seconds` of wall time.
    private func loopCPU(of server: HTTPServer, over seconds: Double, _ activity: () -> Void = { usleep(50_000) }) throws
        -> Double {
        let before = try #require(server.loopCPUSeconds())
        let until = Date(timeIntervalSinceNow: seconds)
        while Date() < until { activity() }
        return try #require(server.loopCPUSeconds()) - before
    }

    @Test func halfClosedSlowDownloadDoesNotSpinTheLoop() throws {
        let server = try HTTPServer.make()
        defer { server.shutdown(gracePeriod: 1) }
        // A sparse file of zeros: large enough that most of it waits in the server, cheap to make and compare.
        let size = 16 << 20
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sscl-http-\(UUID().uuidString).bin")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: url) }
        let file = try FileHandle(forWritingTo: url)
        try file.truncate(atOffset: UInt64(size))
        try file.close()
        let client = try server.client(receiveBufferBytes: 64 << 10)
        try client.send(get("/file?path=\(url.path)"))
        client.shutdownWrite()
        #expect(client.readSome() > 0)
        usleep(200_000)
        // A slow reader: a little every 100 ms.
        let used = try loopCPU(of: server, over: 1.5) {
            _ = client.readSome()
            usleep(100_000)
        }
        // An idle loop uses milliseconds; a spinning one most of a core (even on a busy machine, far above this).
        #expect(used < 0.1, "the loop thread used \(used) s of CPU in 1.5 s")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.body == Data(count: size))
        #expect(client.closedByPeer(within: 2))
    }

    @Test func halfClosedSlowRequestDoesNotSpinTheLoop() throws {
        let server = try HTTPServer.make()
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        try client.send(get("/slow?ms=1500"))
        client.shutdownWrite()
        usleep(200_000)
        let used = try loopCPU(of: server, over: 1)
        #expect(used < 0.1, "the loop thread used \(used) s of CPU in 1 s")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "slow")
        #expect(client.closedByPeer(within: 2))
    }

    @Test func tooSlowBodyGets408AndRealUploadsPass() throws {
        let server = try HTTPServer.make {
            $0.minRequestBodyBytesPerSecond = 100
            $0.requestBodyGracePeriod = 0.5
        }
        defer { server.shutdown(gracePeriod: 1) }
        // One byte per 50 ms (20 B/s): each byte is activity, but the rate is far too low.
        let slow = try server.client()
        try slow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
        let started = Date()
        while Date().timeIntervalSince(started) < 4, !slow.hasData(within: 0.05) {
            if (try? slow.send("a")) == nil { break }
        }
        let response = try slow.readResponse()
        let elapsed = Date().timeIntervalSince(started)
        #expect(response.status == 408)
        #expect(response["Connection"] == "close")
        #expect(response.text.contains("body_too_slow"))
        #expect(elapsed >= 0.4 && elapsed < 3, "answered after \(elapsed) s")
        #expect(slow.closedByPeer(within: 3))
        // 100 bytes per 100 ms (1000 B/s) for longer than the grace period is fine.
        let steady = try server.client()
        try steady.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
        for index in 0..<10 {
            try steady.send(String(repeating: Character(UnicodeScalar(UInt8(97 + index))), count: 100))
            usleep(100_000)
        }
        let echoed = try steady.readResponse()
        #expect(echoed.status == 200)
        #expect(echoed.body.count == 1000)
    }

    @Test func trickledHeadBytesDoNotExtendTheHeaderDeadline() throws {
        let server = try HTTPServer.make {
            $0.headerTimeout = 0.3
            $0.idleTimeout = 10
        }
        defer { server.shutdown(gracePeriod: 1) }
        // An incomplete head is answered 408 when its time is up.
        let partial = try server.client()
        try partial.send("GET /hello HT")
        let refused = try partial.readResponse()
        #expect(refused.status == 408)
        #expect(refused.text.contains("headers_too_slow"))
        #expect(partial.closedByPeer(within: 3))
        // On a kept-alive connection, blank lines before the next request start its head's
        // clock: dripping them does not turn the header timeout into the idle timeout.
        let client = try server.client()
        try client.send(get("/hello"))
        #expect(try client.readResponse().status == 200)
        let started = Date()
        var closed = false
        while Date().timeIntervalSince(started) < 3, !client.hasData(within: 0.05) {
            if (try? client.send("\r\n")) == nil { closed = true; break }
        }
        #expect(closed || client.closedByPeer(within: 1))
        #expect(Date().timeIntervalSince(started) < 2.5)
    }
}
