import Foundation
import Testing
@testable import SSCLHTTP

/// Bodies a handler asks to receive as a file (`HTTPBodyDestination.file`): written to disk
/// as they arrive, past the in-memory cap, limited by their own cap, and cleaned up.
@Suite struct HTTPBodySpoolTests {
    /// What the handler saw of one spooled request.
    final class Seen: @unchecked Sendable {
        let lock = NSLock()
        var bodyFile: URL?
        var bodyCount = -1
        var fileContents: Data?

        func record(_ request: HTTPRequest) {
            lock.lock()
            defer { lock.unlock() }
            bodyFile = request.bodyFile
            bodyCount = request.body.count
            fileContents = request.bodyFile.flatMap { try? Data(contentsOf: $0) }
        }
    }

    static func make(directory: URL, maxBytes: Int, seen: Seen,
                     _ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws -> HTTPServer {
        let handler = HTTPClosureHandler(bodyDestination: { request in
            request.path == "/spool" ? .file(directory: directory, maxBytes: maxBytes) : .memory
        }) { request in
            seen.record(request)
            return .text(200, "got \(request.bodyFile == nil ? "memory" : "file")")
        }
        return try HTTPServer.make(configure, handler: handler)
    }

    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sscl-spool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func contents(_ url: URL) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
    }

    @Test func aBodyOverTheMemoryCapReachesTheHandlerAsAFileAndIsDeletedAfter() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let seen = Seen()
        let server = try Self.make(directory: directory, maxBytes: 8 << 20, seen: seen)
        defer { server.shutdown(gracePeriod: 1) }
        #expect(server.configuration.maxBodyBytes == 1 << 20)
        let body = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
        let client = try server.client(timeout: 10)
        try client.send("POST /spool HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: \(body.count)\r\n\r\n")
        try client.send(body)
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "got file")
        let (bodyCount, bodyFile, fileContents) = seen.lock.withLock { (seen.bodyCount, seen.bodyFile, seen.fileContents) }
        #expect(bodyCount == 0, "the body must not be in memory as well")
        let file = try #require(bodyFile)
        #expect(file.deletingLastPathComponent().standardizedFileURL.path == directory.standardizedFileURL.path)
        #expect(fileContents == Data(body), "the file holds the body byte for byte")
        #expect(Self.contents(directory).isEmpty, "the server deletes the file once the handler returns")

        // Other routes keep the in-memory body and its cap.
        try client.send("POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        #expect(try client.readResponse().text == "got memory")
        try client.send("POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: \((1 << 20) + 1)\r\n\r\n")
        #expect(try client.readResponse().status == 413)
    }

    @Test func aDeclaredLengthOverTheFileCapIs413BeforeAnyBodyByte() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try Self.make(directory: directory, maxBytes: 1000, seen: Seen())
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        try client.send("POST /spool HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 413)
        #expect(response.text.contains("body_too_large") && response.text.contains("1000"))
        #expect(Self.contents(directory).isEmpty)
    }

    @Test func aClientGoneMidBodyLeavesNoFile() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let seen = Seen()
        let server = try Self.make(directory: directory, maxBytes: 1 << 20, seen: seen)
        defer { server.shutdown(gracePeriod: 1) }
        do {
            let client = try server.client()
            try client.send("POST /spool HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + String(repeating: "a", count: 5000))
            let started = Date().addingTimeInterval(5)
            while Self.contents(directory).isEmpty && Date() < started { usleep(10_000) }
            #expect(Self.contents(directory).count == 1, "the partial body is on disk while it arrives")
            _ = client  // closed at the end of this scope
        }
        let deadline = Date().addingTimeInterval(5)
        while !Self.contents(directory).isEmpty && Date() < deadline { usleep(10_000) }
        #expect(Self.contents(directory).isEmpty, "a body that never completes is deleted")
        #expect(seen.lock.withLock { seen.bodyFile } == nil, "the handler never saw it")
    }

    @Test func aSpooledBodyTooSlowIs408AndItsFileGoes() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try Self.make(directory: directory, maxBytes: 1 << 20, seen: Seen()) {
            $0.minRequestBodyBytesPerSecond = 1000
            $0.requestBodyGracePeriod = 0.3
        }
        defer { server.shutdown(gracePeriod: 1) }
        let client = try server.client()
        try client.send("POST /spool HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789")
        let response = try client.readResponse()
        #expect(response.status == 408)
        #expect(response.text.contains("body_too_slow"))
        #expect(Self.contents(directory).isEmpty, "the partial body's file is deleted")
    }
}
