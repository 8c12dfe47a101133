import Foundation
import Testing
@testable import SSCLService

/// Crashes lose no finished work: a worker killed mid-run is restarted from its checkpoint,
/// and a server killed with SIGKILL picks its running job up again at the next start.
@Suite(.serialized) struct CrashRecoveryTests {
    typealias C = HTTPTestClient

    @Test func aKilledWorkerIsRestartedFromItsCheckpoint() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let id = try #require(try C.request("POST", "\(f.base)/v1/jobs",
                                            body: ServiceFixture.tinyJob(epochs: 40, extra: #", "max_restarts": 1"#)).json["id"] as? String)
        var pid: Int32 = 0
        try C.waitUntil(60) {
            let job = try C.request("GET", "\(f.base)/v1/jobs/\(id)").json
            guard ((job["progress"] as? [String: Any])?["epoch"] as? Int ?? 0) >= 3 else { return false }
            let logs = try C.request("GET", "\(f.base)/v1/jobs/\(id)/logs").json["lines"] as? [[String: Any]] ?? []
            for line in logs.compactMap({ $0["line"] as? String }) where line.hasPrefix("worker ") {
                pid = Int32(line.split(separator: " ")[1]) ?? 0
            }
            return pid > 0
        }
        #expect(pid > 0)
        kill(pid, SIGKILL)
        var job: [String: Any] = [:]
        try C.waitUntil(120) {
            job = try C.request("GET", "\(f.base)/v1/jobs/\(id)").json
            return ["succeeded", "failed"].contains(job["status"] as? String ?? "")
        }
        #expect(job["status"] as? String == "succeeded", "\(job["error"] ?? "")")
        #expect(job["attempt"] as? Int == 2)
        #expect(job["restarts_used"] as? Int == 1)
        let logs = try C.request("GET", "\(f.base)/v1/jobs/\(id)/logs").json["lines"] as? [[String: Any]] ?? []
        #expect(logs.contains { ($0["line"] as? String)?.contains("signal 9") == true })
        let loss = (try C.request("GET", "\(f.base)/v1/jobs/\(id)/metrics?name=loss").json["metrics"] as? [[String: Any]])?
            .first?["points"] as? [[String: Any]] ?? []
        #expect(loss.compactMap { $0["step"] as? Int } == Array(1...160))
    }

    /// `sscl serve` as a child process on a free port, with its state under `root`.
    static func startServer(root: URL) throws -> (Process, Int) {
            let process = Process()
            process.executableURL = TestBinary.sscl
            process.arguments = ["serve", "--port", "0", "--db", root.appendingPathComponent("db.sqlite").path,
                                 "--runs-dir", root.appendingPathComponent("runs").path,
                                 "--data-dir", root.appendingPathComponent("data").path,
                                 "--migrations", ServiceFixture.repository.appendingPathComponent("migrations").path,
                                 "--log-level", "warning"]
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            var text = ""
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline, !text.contains("serving http://") {
                let chunk = err.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            let port = text.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
            return (process, port)
    }

    @Test func killingTheServerLosesNoFinishedWorkAndTheJobResumes() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        func startServer() throws -> (Process, Int) { try Self.startServer(root: root) }
        let (first, port) = try startServer()
        #expect(port > 0)
        let base = "http://127.0.0.1:\(port)"
        let id = try #require(try C.request("POST", "\(base)/v1/jobs", body: ServiceFixture.tinyJob(epochs: 40)).json["id"] as? String)
        try C.waitUntil(60) {
            let job = try C.request("GET", "\(base)/v1/jobs/\(id)").json
            return ((job["progress"] as? [String: Any])?["epoch"] as? Int ?? 0) >= 3
        }
        let before = (try C.request("GET", "\(base)/v1/jobs/\(id)/metrics?name=loss").json["metrics"] as? [[String: Any]])?
            .first?["points"] as? [[String: Any]] ?? []
        #expect(before.count >= 8)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()

        let (second, port2) = try startServer()
        defer { second.terminate(); second.waitUntilExit() }
        let base2 = "http://127.0.0.1:\(port2)"
        var job: [String: Any] = [:]
        try C.waitUntil(120) {
            job = try C.request("GET", "\(base2)/v1/jobs/\(id)").json
            return ["succeeded", "failed"].contains(job["status"] as? String ?? "")
        }
        #expect(job["status"] as? String == "succeeded", "\(job["error"] ?? "")")
        #expect(job["attempt"] as? Int == 2)
        let after = (try C.request("GET", "\(base2)/v1/jobs/\(id)/metrics?name=loss").json["metrics"] as? [[String: Any]])?
            .first?["points"] as? [[String: Any]] ?? []
        let steps = after.compactMap { $0["step"] as? Int }
        #expect(steps == Array(1...160))
        for point in before {
            let step = point["step"] as? Int
            #expect(after.contains { $0["step"] as? Int == step }, "step \(step ?? -1) recorded before the crash is still there")
        }
    }

    @Test func sigtermCheckpointsRunningJobsAndTheyResumeAtTheNextStart() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let (first, port) = try Self.startServer(root: root)
        let base = "http://127.0.0.1:\(port)"
        let id = try #require(try C.request("POST", "\(base)/v1/jobs", body: ServiceFixture.tinyJob(epochs: 40)).json["id"] as? String)
        try C.waitUntil(60) {
            let job = try C.request("GET", "\(base)/v1/jobs/\(id)").json
            return ((job["progress"] as? [String: Any])?["step"] as? Int ?? 0) >= 6
        }
        let stoppedAt = Date()
        first.terminate()  // SIGTERM
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(Date().timeIntervalSince(stoppedAt) < 15)

        let (second, port2) = try Self.startServer(root: root)
        defer { second.terminate(); second.waitUntilExit() }
        let base2 = "http://127.0.0.1:\(port2)"
        var job: [String: Any] = [:]
        try C.waitUntil(120) {
            job = try C.request("GET", "\(base2)/v1/jobs/\(id)").json
            return ["succeeded", "failed"].contains(job["status"] as? String ?? "")
        }
        #expect(job["status"] as? String == "succeeded", "\(job["error"] ?? "")")
        #expect(job["attempt"] as? Int == 2)
        #expect(job["restarts_used"] as? Int == 0, "a shutdown is not a crash")
        let logs = try C.request("GET", "\(base2)/v1/jobs/\(id)/logs").json["lines"] as? [[String: Any]] ?? []
        #expect(logs.contains { ($0["line"] as? String)?.contains("resuming from the checkpoint") == true })
    }
}
