import Foundation
import Testing
@testable import SSCLService

/// Bad input gets a clear 4xx and changes nothing.
@Suite(.serialized) struct RequestValidationTests {
    typealias C = HTTPTestClient

    @Test func badJobsAreRefusedWithTheirFields() throws {
        let f = try ServiceFixture(headerTimeout: 0.5) { $0.maxBodyBytes = 4096 }
        defer { f.stop() }
        let malformed = try C.request("POST", "\(f.base)/v1/jobs", body: #"{"dataset": "#)
        #expect(malformed.status == 400)
        #expect((malformed.json["error"] as? [String: Any])?["code"] as? String == "malformed_json")

        let invalid = try C.request("POST", "\(f.base)/v1/jobs",
                                    body: #"{"dataset": {"name": "digits"}, "loss": {"temperature": 0}, "model": {"hidden": [8, -1]}, "colour": 1}"#)
        #expect(invalid.status == 422)
        let details = ((invalid.json["error"] as? [String: Any])?["details"] as? [[String: Any]] ?? [])
        let paths = Set(details.compactMap { $0["path"] as? String })
        #expect(paths == ["loss.temperature", "model.hidden[1]", "colour"])
        #expect(details.allSatisfy { !(($0["reason"] as? String) ?? "").isEmpty })

        let wrongType = try C.request("POST", "\(f.base)/v1/jobs", body: #"{"dataset": {"name": "digits"}}"#, contentType: "text/plain")
        #expect(wrongType.status == 415)

        let big = "{\"dataset\": {\"name\": \"digits\"}, \"name\": \"" + String(repeating: "x", count: 8000) + "\"}"
        #expect(try C.request("POST", "\(f.base)/v1/jobs", body: big).status == 413)

        let outside = try C.request("POST", "\(f.base)/v1/jobs", body: #"{"dataset": {"format": "idx", "path": "/etc"}}"#)
        #expect(outside.status == 422)
        #expect(outside.text.contains("dataset.path"))
        let escape = try C.request("POST", "\(f.base)/v1/jobs", body: #"{"dataset": {"format": "csv", "train": "../../x.csv"}}"#)
        #expect(escape.status == 422)

        // A symlink inside the data directory that points outside it is followed and refused.
        let data = f.service.configuration.dataDirectory
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: data.appendingPathComponent("escape").path, withDestinationPath: "/etc")
        let symlinked = try C.request("POST", "\(f.base)/v1/jobs?dry_run=true", body: #"{"dataset": {"format": "idx", "path": "escape"}}"#)
        #expect(symlinked.status == 422)
        try FileManager.default.createDirectory(at: data.appendingPathComponent("mine"), withIntermediateDirectories: true)
        let inside = try C.request("POST", "\(f.base)/v1/jobs?dry_run=true", body: #"{"dataset": {"format": "idx", "path": "mine"}}"#)
        #expect(inside.status == 200)
        // Image folders are held to the same rule.
        let folderOutside = try C.request("POST", "\(f.base)/v1/jobs?dry_run=true",
                                          body: #"{"dataset": {"format": "imagefolder", "path": "escape"}}"#)
        #expect(folderOutside.status == 422 && folderOutside.text.contains("dataset.path"))
        let folderInside = try C.request("POST", "\(f.base)/v1/jobs?dry_run=true",
                                         body: #"{"dataset": {"format": "imagefolder", "path": "mine"}}"#)
        #expect(folderInside.status == 200)

        let jobs = try C.request("GET", "\(f.base)/v1/jobs").json["jobs"] as? [Any] ?? []
        #expect(jobs.isEmpty, "nothing was queued")
    }

    @Test func malformedAndSlowRequests() throws {
        let f = try ServiceFixture(headerTimeout: 0.5)
        defer { f.stop() }
        #expect(C.raw(port: f.port, "GARBAGE\r\n\r\n").hasPrefix("HTTP/1.1 400"))
        #expect(C.raw(port: f.port, "BREW /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").hasPrefix("HTTP/1.1 501"))
        let huge = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + String(repeating: "a", count: 20000) + "\r\n\r\n"
        #expect(C.raw(port: f.port, huge).hasPrefix("HTTP/1.1 431"))
        // A client that never finishes its headers is disconnected after the header timeout.
        let start = Date()
        let slow = C.raw(port: f.port, "GET /healthz HTTP/1.1\r\nHost: 127", timeout: 5)
        #expect(Date().timeIntervalSince(start) < 4)
        #expect(!slow.contains("200 OK"))
        // The server still answers.
        #expect(try C.request("GET", "\(f.base)/healthz").status == 200)
        #expect(try C.request("GET", "\(f.base)/v1/nothing").status == 404)
        let wrongMethod = try C.request("DELETE", "\(f.base)/v1/jobs")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["allow"] == "GET, HEAD, POST")
        #expect(try C.request("GET", "\(f.base)/v1/jobs?limit=0").status == 400)
        #expect(try C.request("GET", "\(f.base)/v1/jobs?status=done").status == 400)
    }
}
