import Foundation
import Testing
@testable import SSCLService

/// Crashes lose no finished work: a worker killed mid-run is restarted from its checkpoint,
/// and a server killed with SIGKILL picks its running job up again at the next start.
@Suite(.serialized) struct CrashRecoveryTests {
    typealias C = HTTPTestClient

    /// Steps of the job's loss series, in order.
    static func lossSteps(_ base: String, _ id: String) throws -> [Int] {
        let series = try C.request("GET", "\(base)/v1/jobs/\(id)/metrics?name=loss").json["metrics"] as? [[String: Any]]
        return (series?.first?["points"] as? [[String: Any]] ?? []).compactMap { $0["step"] as? Int }
    }

    static func progressStep(_ job: [String: Any]) -> Int {
        (job["progress"] as? [String: Any])?["step"] as? Int ?? 0
    }

    // Jobs here are far longer than the tests wait: a short one could finish before the kill
    // lands (the worker may run ahead of what the server has recorded), so each test checks
    // the restart and the continuity of the curves, then cancels.

    @Test func aKilledWorkerIsRestartedFromItsCheckpoint() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let id = try #require(try C.request("POST", "\(f.base)/v1/jobs",
                                            body: ServiceFixture.tinyJob(epochs: 20_000, extra: #", "max_restarts": 1"#)).json["id"] as? String)
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
        let restarted = try C.waitUntil(60) {
            job = try C.request("GET", "\(f.base)/v1/jobs/\(id)").json
            return job["attempt"] as? Int == 2 && job["status"] as? String == "running" && Self.progressStep(job) > 20
        }
        #expect(restarted, "\(job)")
        #expect(job["restarts_used"] as? Int == 1)
        var logs: [String] = []
        let resumed = try C.waitUntil(30) {
            logs = (try C.request("GET", "\(f.base)/v1/jobs/\(id)/logs").json["lines"] as? [[String: Any]] ?? [])
                .compactMap { $0["line"] as? String }
            return logs.contains { $0.contains("resuming from the checkpoint") }
        }
        #expect(resumed)
        #expect(logs.contains { $0.contains("signal 9") })
        _ = try C.request("POST", "\(f.base)/v1/jobs/\(id)/cancel")
        let steps = try Self.lossSteps(f.base, id)
        #expect(!steps.isEmpty && steps == Array(1...steps.count), "the loss curve has no gap")
    }

    /// `sscl serve` as a child process on a free port, with its state under `root`.
    static func startServer(root: URL) throws -> (Process, Int) {
        let server = try ServerProcess(root: root)
        return (server.process, server.port)
    }

    @Test func killingTheServerLosesNoFinishedWorkAndTheJobResumes() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        func startServer() throws -> (Process, Int) { try Self.startServer(root: root) }
        let (first, port) = try startServer()
        #expect(port > 0)
        let base = "http://127.0.0.1:\(port)"
        let id = try #require(try C.request("POST", "\(base)/v1/jobs", body: ServiceFixture.tinyJob(epochs: 20_000)).json["id"] as? String)
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
        let lastBefore = before.compactMap { $0["step"] as? Int }.max() ?? 0
        let resumed = try C.waitUntil(60) {
            job = try C.request("GET", "\(base2)/v1/jobs/\(id)").json
            return job["attempt"] as? Int == 2 && job["status"] as? String == "running" && Self.progressStep(job) > lastBefore + 20
        }
        #expect(resumed, "\(job)")
        _ = try C.request("POST", "\(base2)/v1/jobs/\(id)/cancel")
        let after = (try C.request("GET", "\(base2)/v1/jobs/\(id)/metrics?name=loss").json["metrics"] as? [[String: Any]])?
            .first?["points"] as? [[String: Any]] ?? []
        let steps = after.compactMap { $0["step"] as? Int }
        #expect(!steps.isEmpty && steps == Array(1...steps.count), "the loss curve has no gap")
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
        let id = try #require(try C.request("POST", "\(base)/v1/jobs", body: ServiceFixture.tinyJob(epochs: 20_000)).json["id"] as? String)
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
        let resumed = try C.waitUntil(60) {
            job = try C.request("GET", "\(base2)/v1/jobs/\(id)").json
            return job["attempt"] as? Int == 2 && job["status"] as? String == "running"
        }
        #expect(resumed, "\(job)")
        #expect(job["restarts_used"] as? Int == 0, "a shutdown is not a crash")
        try C.waitUntil(30) {
            let logs = try C.request("GET", "\(base2)/v1/jobs/\(id)/logs").json["lines"] as? [[String: Any]] ?? []
            return logs.contains { ($0["line"] as? String)?.contains("resuming from the checkpoint") == true }
        }
        let logs = try C.request("GET", "\(base2)/v1/jobs/\(id)/logs").json["lines"] as? [[String: Any]] ?? []
        #expect(logs.contains { ($0["line"] as? String)?.contains("resuming from the checkpoint") == true })
    }
}
