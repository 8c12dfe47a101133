import Foundation
import Testing
@testable import SSCLService
import SSCLStore

/// `max_seconds` and cancel are enforced from outside the worker's step. A worker stopped
/// with SIGSTOP stands for a step that never ends: it cannot see a stop request or its own
/// time limit, and ignores SIGTERM until SIGKILL.
@Suite(.serialized) struct JobSchedulerStoppingTests {
    typealias C = HTTPTestClient
    static let grace = 2.0

    /// A server with a short grace period, a long job running, and its worker frozen mid-run.
    static func frozenJob(root: URL, extra: String = "") throws -> (ServerProcess, String, Int32) {
        let server = try ServerProcess(root: root, arguments: ["--stop-grace", "\(grace)"])
        let id = try #require(try C.request("POST", "\(server.base)/v1/jobs",
                                            body: ServiceFixture.tinyJob(epochs: 20_000, extra: extra)).json["id"] as? String)
        try C.waitUntil(60) {
            let job = try C.request("GET", "\(server.base)/v1/jobs/\(id)").json
            return ((job["progress"] as? [String: Any])?["step"] as? Int ?? 0) >= 1
        }
        let worker = try #require(server.children.first, "the job's worker")
        kill(worker, SIGSTOP)
        return (server, id, worker)
    }

    static func logLines(_ base: String, _ id: String) throws -> [String] {
        (try C.request("GET", "\(base)/v1/jobs/\(id)/logs").json["lines"] as? [[String: Any]] ?? []).compactMap { $0["line"] as? String }
    }

    @Test func aWorkerStuckInAStepIsKilledAtMaxSecondsPlusGraceAndTheJobFailsWithTimeLimit() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let maxSeconds = 8.0
        let (server, id, worker) = try Self.frozenJob(root: root, extra: #", "max_seconds": \#(maxSeconds)"#)
        defer { kill(worker, SIGKILL); server.stop() }
        var job: [String: Any] = [:]
        let ended = try C.waitUntil(maxSeconds + Self.grace + 20) {
            job = try C.request("GET", "\(server.base)/v1/jobs/\(id)").json
            return job["status"] as? String != "running"
        }
        #expect(ended, "the frozen worker was never stopped: \(job)")
        #expect(job["status"] as? String == "failed")
        let error = job["error"] as? [String: Any]
        #expect(error?["code"] as? String == "time_limit", "\(job)")
        #expect((error?["message"] as? String)?.contains("max_seconds") == true)
        // Not before the limit and its grace period (the frozen worker ignored SIGTERM).
        if let started = (job["started_at"] as? String).flatMap(RFC3339.date(from:)),
           let finished = (job["finished_at"] as? String).flatMap(RFC3339.date(from:)) {
            #expect(finished.timeIntervalSince(started) >= maxSeconds + Self.grace - 0.1)
        } else {
            Issue.record("no start or finish time: \(job)")
        }
        let logs = try Self.logLines(server.base, id)
        #expect(logs.contains { $0.contains("max_seconds (8 s) reached") }, "\(logs)")
        #expect(logs.contains { $0.contains("killed (SIGKILL)") }, "\(logs)")
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(worker)"), "the worker was reaped")
    }

    @Test func cancelAnswersAtOnceAndEndsAStuckJobWithinTheGracePeriod() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let (server, id, worker) = try Self.frozenJob(root: root)
        defer { kill(worker, SIGKILL); server.stop() }
        let asked = Date()
        let answer = try C.request("POST", "\(server.base)/v1/jobs/\(id)/cancel")
        // A generous bound: the handler must not wait for the worker (it used to, up to 5 s).
        #expect(Date().timeIntervalSince(asked) < 2)
        #expect(answer.status == 202)
        #expect(answer.json["status"] as? String == "running")
        #expect(answer.json["cancel_requested"] as? Bool == true)
        #expect(try C.request("POST", "\(server.base)/v1/jobs/\(id)/cancel").json["cancel_requested"] as? Bool == true,
                "asking again while it stops is harmless")

        var job: [String: Any] = [:]
        let ended = try C.waitUntil(Self.grace + 5) {
            job = try C.request("GET", "\(server.base)/v1/jobs/\(id)").json
            return job["status"] as? String == "cancelled"
        }
        #expect(ended, "\(job)")
        #expect(job["cancel_requested"] as? Bool == false)
        let logs = try Self.logLines(server.base, id)
        #expect(logs.contains { $0.contains("cancel requested") }, "\(logs)")
        #expect(logs.contains { $0.contains("killed (SIGKILL)") }, "\(logs)")
    }

    @Test func aCancelJustBeforeAShutdownStillEndsCancelled() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try ServerProcess(root: root, arguments: ["--stop-grace", "\(Self.grace)"])
        let id = try #require(try C.request("POST", "\(server.base)/v1/jobs",
                                            body: ServiceFixture.tinyJob(epochs: 20_000)).json["id"] as? String)
        try C.waitUntil(60) {
            let job = try C.request("GET", "\(server.base)/v1/jobs/\(id)").json
            return ((job["progress"] as? [String: Any])?["step"] as? Int ?? 0) >= 1
        }
        #expect(try C.request("POST", "\(server.base)/v1/jobs/\(id)/cancel").status == 202)
        server.stop()
        #expect(server.process.terminationStatus == 0)

        let next = try ServerProcess(root: root)
        defer { next.stop() }
        let job = try C.request("GET", "\(next.base)/v1/jobs/\(id)").json
        #expect(job["status"] as? String == "cancelled", "a shutdown does not turn a cancel into a resume: \(job)")
    }
}
