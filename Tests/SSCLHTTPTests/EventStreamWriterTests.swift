import Foundation
import Testing
@testable import SSCLHTTP

/// Server-Sent Events over real sockets.
@Suite struct EventStreamWriterTests {
    @Test func eventsArriveFormattedAsSent() throws {
        let routes = TestRoutes()
        let server = try HTTPServer.make(handler: routes)
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        try client.send(get("/events"))
        let head = try client.readResponse(bodyExpected: false)
        #expect(head.status == 200)
        #expect(head["Content-Type"] == "text/event-stream")
        #expect(head["Cache-Control"] == "no-cache")
        #expect(head["Content-Length"] == nil)
        let writer = try #require(routes.streams.writer())
        #expect(writer.send(event: "status", id: "1", data: "{\"status\":\"running\"}"))
        #expect(try client.read(until: "\n\n") == "id: 1\nevent: status\ndata: {\"status\":\"running\"}\n\n")
        #expect(writer.send(event: nil, id: "2", data: "line one\nline two\r\nline three"))
        #expect(try client.read(until: "three\n\n") == "id: 2\ndata: line one\ndata: line two\ndata: line three\n\n")
        #expect(writer.sendComment("ping"))
        #expect(try client.read(until: "\n\n") == ": ping\n\n")
        #expect(writer.send(event: "bad\nname", id: nil, data: ""))
        #expect(try client.read(until: "\n\n") == "event: bad name\ndata: \n\n")
        for index in 0..<100 { writer.send(event: "metric", id: "\(index + 3)", data: "\(index)") }
        #expect(try client.read(until: "id: 102\nevent: metric\ndata: 99\n\n").hasPrefix("id: 3\n"))
        writer.close()
        #expect(client.closedByPeer(within: 2))
        #expect(!writer.send(event: nil, id: nil, data: "late"))
    }

    @Test func clientDisconnectClosesTheWriter() throws {
        let routes = TestRoutes()
        let server = try HTTPServer.make(handler: routes)
        defer { server.shutdown(gracePeriod: 1) }
        var client: RawClient? = try server.client()
        try client!.send(get("/events"))
        _ = try client!.readResponse(bodyExpected: false)
        let writer = try #require(routes.streams.writer())
        let notified = LockedValue(0)
        writer.onClose { notified.withLock { $0 += 1 } }
        #expect(writer.send(event: nil, id: nil, data: "hello"))
        #expect(!writer.isClosed)
        client = nil
        #expect(eventually { writer.isClosed })
        #expect(eventually { notified.withLock { $0 } == 1 })
        #expect(!writer.send(event: nil, id: nil, data: "gone"))
        // A callback registered after the close still runs, once.
        let late = LockedValue(0)
        writer.onClose { late.withLock { $0 += 1 } }
        #expect(eventually { late.withLock { $0 } == 1 })
        #expect(notified.withLock { $0 } == 1)
    }

    @Test func aStreamNobodyReadsIsDropped() throws {
        let routes = TestRoutes()
        let server = try HTTPServer.make({ $0.maxStreamBacklogBytes = 256 << 10 }, handler: routes)
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        try client.send(get("/events"))
        _ = try client.readResponse(bodyExpected: false)
        let writer = try #require(routes.streams.writer())
        let chunk = String(repeating: "x", count: 64 << 10)
        var sent = 0
        // The kernel buffers a few MB; after that the backlog limit must end the stream.
        while writer.send(event: nil, id: nil, data: chunk) && sent < 2000 {
            sent += 1
            if sent % 16 == 0 { usleep(2000) }
        }
        #expect(eventually { writer.isClosed })
        #expect(sent < 2000)
    }

    @Test func shutdownEndsOpenStreams() throws {
        let routes = TestRoutes()
        let server = try HTTPServer.make(handler: routes)
        let client = try server.client()
        try client.send(get("/events"))
        _ = try client.readResponse(bodyExpected: false)
        let writer = try #require(routes.streams.writer())
        writer.send(event: nil, id: "1", data: "before")
        _ = try client.read(until: "before\n\n")
        let started = Date()
        server.shutdown(gracePeriod: 3)
        #expect(Date().timeIntervalSince(started) < 1.5)
        #expect(writer.isClosed)
        #expect(client.closedByPeer(within: 1))
    }

    @Test func headOfAStreamSendsOnlyTheHead() throws {
        let routes = TestRoutes()
        let server = try HTTPServer.make(handler: routes)
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        try client.send("HEAD /events HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try client.readResponse(bodyExpected: false)
        #expect(head["Content-Type"] == "text/event-stream")
        #expect(client.closedByPeer(within: 2))
        #expect(routes.streams.writer(timeout: 0.2) == nil)
    }
}
