import Foundation
import Testing
@testable import SSCLService

/// A server killed with SIGKILL mid-sweep: the next server finishes the same sweep from the
/// store, with the same trials, and runs none of the finished ones again.
@Suite(.serialized) struct SweepCrashRecoveryTests {
    typealias C = HTTPTestClient

    @Test func aSweepSurvivesAKill9AndNoTrialRunsTwice() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try ServerProcess(root: root)
        #expect(first.port > 0, "\(first.stderr)")
        let body = """
            {"name": "crash", "base": \(ServiceFixture.tinyJob(epochs: 60)),
             "parameters": {"loss.beta": {"values": [0.5, 1]}}, "seeds": [0, 1], "max_concurrent": 1}
            """
        let created = try C.request("POST", "\(first.base)/v1/sweeps", body: body)
        #expect(created.status == 201)
        let id = try #require(created.json["id"] as? String)
        var before: [[String: Any]] = []
        let midway = try C.waitUntil(120) {
            before = try C.request("GET", "\(first.base)/v1/sweeps/\(id)").json["trials"] as? [[String: Any]] ?? []
            let statuses = before.compactMap { $0["status"] as? String }
            return statuses.contains("succeeded") && statuses.contains("queued")
        }
        #expect(midway, "\(before)")
        let finishedBefore = try before.filter { $0["status"] as? String == "succeeded" }.map { trial -> (String, String) in
            let tid = trial["id"] as? String ?? ""
            let job = try C.request("GET", "\(first.base)/v1/jobs/\(tid)").json
            return (tid, job["finished_at"] as? String ?? "")
        }
        first.kill9()

        let second = try ServerProcess(root: root)
        defer { second.stop() }
        #expect(second.port > 0, "\(second.stderr)")
        var sweep: [String: Any] = [:]
        let finished = try C.waitUntil(240) {
            sweep = try C.request("GET", "\(second.base)/v1/sweeps/\(id)").json
            return sweep["status"] as? String != "running"
        }
        #expect(finished && sweep["status"] as? String == "finished", "\(sweep["progress"] ?? "")")
        let after = sweep["trials"] as? [[String: Any]] ?? []
        #expect(after.compactMap { $0["id"] as? String } == before.compactMap { $0["id"] as? String }, "the same trials")
        #expect(after.allSatisfy { $0["status"] as? String == "succeeded" }, "\(after)")
        for (tid, finishedAt) in finishedBefore {
            let job = try C.request("GET", "\(second.base)/v1/jobs/\(tid)").json
            #expect(job["attempt"] as? Int == 1 && job["finished_at"] as? String == finishedAt, "\(tid) was not run again")
        }
        let jobs = try C.request("GET", "\(second.base)/v1/jobs").json["jobs"] as? [[String: Any]] ?? []
        #expect(jobs.count == 4, "no trial was queued twice")
        let board = sweep["leaderboard"] as? [[String: Any]] ?? []
        #expect(board.map { $0["finished_seeds"] as? Int } == [2, 2])
    }
}
