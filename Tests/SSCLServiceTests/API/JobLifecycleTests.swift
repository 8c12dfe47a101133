import Foundation
import Testing
@testable import SSCLService

/// Submit → poll → events → metrics → result → download, cancel, retry, delete, through the
/// real server on a socket.
@Suite(.serialized) struct JobLifecycleTests {
    typealias C = HTTPTestClient

    func waitForStatus(_ f: ServiceFixture, _ id: String, _ statuses: Set<String>, timeout: Double = 90) throws -> [String: Any] {
        var job: [String: Any] = [:]
        let reached = try C.waitUntil(timeout) {
            job = try C.request("GET", "\(f.base)/v1/jobs/\(id)").json
            return statuses.contains(job["status"] as? String ?? "")
        }
        #expect(reached, "job \(id) did not reach \(statuses); it is \(job["status"] ?? "?")")
        return job
    }

    @Test func submitPollStreamMetricsResultAndDownload() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let created = try C.request("POST", "\(f.base)/v1/jobs", body: ServiceFixture.tinyJob())
        #expect(created.status == 201)
        let id = try #require(created.json["id"] as? String)
        #expect(created.headers["location"] == "/v1/jobs/\(id)")
        #expect((created.json["job"] as? [String: Any])?["epochs"] as? Int == 2)

        let done = try waitForStatus(f, id, ["succeeded", "failed"])
        #expect(done["status"] as? String == "succeeded", "\(done["error"] ?? "")")
        #expect(done["attempt"] as? Int == 1)
        let result = try #require(done["result"] as? [String: Any])
        #expect(result["knn_accuracy"] is Double)
        #expect(result["baseline_knn_accuracy"] is Double)
        let progress = try #require(done["progress"] as? [String: Any])
        #expect(progress["step"] as? Int == 8 && progress["steps"] as? Int == 8)
        #expect((done["metrics"] as? [String: Any])?["loss"] is Double)

        let metrics = try C.request("GET", "\(f.base)/v1/jobs/\(id)/metrics").json["metrics"] as? [[String: Any]] ?? []
        let names = Set(metrics.compactMap { $0["name"] as? String })
        #expect(names.isSuperset(of: ["loss", "lr", "images_per_s", "knn_accuracy", "alignment", "uniformity"]))
        let loss = try #require(metrics.first { $0["name"] as? String == "loss" }?["points"] as? [[String: Any]])
        #expect(loss.compactMap { $0["step"] as? Int } == Array(1...8))
        let after = try C.request("GET", "\(f.base)/v1/jobs/\(id)/metrics?name=loss&after_step=5").json
        let later = ((after["metrics"] as? [[String: Any]])?.first?["points"] as? [[String: Any]])?.compactMap { $0["step"] as? Int }
        #expect(later == [6, 7, 8], "after_step is exclusive")
        let few = try C.request("GET", "\(f.base)/v1/jobs/\(id)/metrics?name=loss&max_points=4").json
        let fewCount = ((few["metrics"] as? [[String: Any]])?.first?["points"] as? [[String: Any]])?.count ?? 0
        #expect(fewCount >= 2 && fewCount <= 4)

        // A finished job's stream: its whole history, then the server closes it.
        let events = C.raw(port: f.port, "GET /v1/jobs/\(id)/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", timeout: 10)
        #expect(events.contains("text/event-stream"))
        #expect(events.contains("event: status"))
        #expect(events.contains("event: metric"))
        #expect(events.contains("event: progress"))
        #expect(events.contains("\"succeeded\""))
        let ids = events.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int($0.dropFirst(4)) }
        #expect(ids.count > 3 && ids == ids.sorted())
        // Reconnecting with Last-Event-ID gets only what came after it.
        let resumeFrom = ids[ids.count / 2]
        let tail = C.raw(port: f.port, "GET /v1/jobs/\(id)/events HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Event-ID: \(resumeFrom)\r\n\r\n", timeout: 10)
        let tailIDs = tail.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int($0.dropFirst(4)) }
        #expect(tailIDs.first == ids.first { $0 > resumeFrom })
        #expect(tailIDs.allSatisfy { $0 > resumeFrom })

        let logs = try C.request("GET", "\(f.base)/v1/jobs/\(id)/logs").json["lines"] as? [[String: Any]] ?? []
        #expect(logs.contains { ($0["line"] as? String)?.contains("baseline") == true })

        let model = try C.request("GET", "\(f.base)/v1/jobs/\(id)/model.safetensors")
        #expect(model.status == 200)
        let headerLength = model.body.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength > 0 && headerLength < model.body.count)
        let checkpoint = try C.request("GET", "\(f.base)/v1/jobs/\(id)/checkpoint")
        #expect(checkpoint.status == 200)
        #expect(checkpoint.body.prefix(8) == Data("SSCLCKPT".utf8))

        #expect(try C.request("POST", "\(f.base)/v1/jobs/\(id)/cancel").status == 409, "a finished job cannot be cancelled")
        #expect(try C.request("DELETE", "\(f.base)/v1/jobs/\(id)").status == 204)
        #expect(try C.request("GET", "\(f.base)/v1/jobs/\(id)").status == 404)
        #expect(!FileManager.default.fileExists(atPath: f.service.scheduler.directory(of: id).path))
    }

    @Test func cancelRunningThenRetryResumesFromTheCheckpoint() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let id = try #require(try C.request("POST", "\(f.base)/v1/jobs", body: ServiceFixture.tinyJob(epochs: 20_000)).json["id"] as? String)
        try C.waitUntil(60) {
            let job = try C.request("GET", "\(f.base)/v1/jobs/\(id)").json
            return ((job["progress"] as? [String: Any])?["step"] as? Int ?? 0) >= 10
        }
        // The answer does not wait for the worker (no sleep-polling on a handler thread): 202,
        // the job still running with cancel_requested; the status follows.
        let cancelled = try C.request("POST", "\(f.base)/v1/jobs/\(id)/cancel")
        #expect(cancelled.status == 202)
        #expect(cancelled.json["status"] as? String == "running" && cancelled.json["cancel_requested"] as? Bool == true)
        _ = try waitForStatus(f, id, ["cancelled"], timeout: 20)
        #expect(try C.request("POST", "\(f.base)/v1/jobs/\(id)/cancel").status == 409)
        let stepsBefore = (try C.request("GET", "\(f.base)/v1/jobs/\(id)/metrics?name=loss").json["metrics"] as? [[String: Any]])?
            .first?["points"] as? [[String: Any]] ?? []

        let retried = try C.request("POST", "\(f.base)/v1/jobs/\(id)/retry", body: "{}")
        #expect(retried.status == 200)
        #expect(["queued", "running"].contains(retried.json["status"] as? String ?? ""))
        let resumed = try waitForStatus(f, id, ["running"], timeout: 30)
        #expect(resumed["attempt"] as? Int == 2)
        try C.waitUntil(30) {
            let logs = try C.request("GET", "\(f.base)/v1/jobs/\(id)/logs").json["lines"] as? [[String: Any]] ?? []
            return logs.contains { ($0["line"] as? String)?.contains("resuming from the checkpoint") == true }
        }
        let stepsAfter = (try C.request("GET", "\(f.base)/v1/jobs/\(id)/metrics?name=loss").json["metrics"] as? [[String: Any]])?
            .first?["points"] as? [[String: Any]] ?? []
        #expect(stepsAfter.count >= stepsBefore.count, "earlier metric points are kept on a resume")
        #expect(try C.request("POST", "\(f.base)/v1/jobs/\(id)/cancel").status == 202, "running: cancel requested")
        _ = try waitForStatus(f, id, ["cancelled"], timeout: 20)

        #expect(try C.request("POST", "\(f.base)/v1/jobs/\(id)/retry", body: #"{"fresh": 1}"#).status == 422)
        #expect(try C.request("POST", "\(f.base)/v1/jobs/nope/retry", body: "{}").status == 404)
    }

    @Test func queuedJobsWaitInPriorityOrderAndCancelAtOnce() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let long = try #require(try C.request("POST", "\(f.base)/v1/jobs", body: ServiceFixture.tinyJob(name: "long", epochs: 20_000)).json["id"] as? String)
        _ = try waitForStatus(f, long, ["running"], timeout: 30)
        let low = try C.request("POST", "\(f.base)/v1/jobs", body: ServiceFixture.tinyJob(name: "low", extra: #", "priority": 0"#)).json
        let high = try C.request("POST", "\(f.base)/v1/jobs", body: ServiceFixture.tinyJob(name: "high", extra: #", "priority": 5"#)).json
        let lowID = try #require(low["id"] as? String), highID = try #require(high["id"] as? String)
        #expect(try C.request("GET", "\(f.base)/v1/jobs/\(highID)").json["queue_position"] as? Int == 1)
        #expect(try C.request("GET", "\(f.base)/v1/jobs/\(lowID)").json["queue_position"] as? Int == 2)
        let queued = try C.request("GET", "\(f.base)/v1/jobs?status=queued").json["jobs"] as? [[String: Any]] ?? []
        #expect(Set(queued.compactMap { $0["id"] as? String }) == [lowID, highID])
        let cancel = try C.request("POST", "\(f.base)/v1/jobs/\(lowID)/cancel")
        #expect(cancel.json["status"] as? String == "cancelled")
        // Newest first, paginated with a cursor.
        let page1 = try C.request("GET", "\(f.base)/v1/jobs?limit=2").json
        let first = (page1["jobs"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(first == [highID, lowID])
        let cursor = try #require(page1["next_cursor"] as? String)
        let page2 = try C.request("GET", "\(f.base)/v1/jobs?limit=2&cursor=\(cursor)").json
        #expect((page2["jobs"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } == [long])
        #expect(page2["next_cursor"] is NSNull)
        _ = try C.request("POST", "\(f.base)/v1/jobs/\(long)/cancel")
    }

    @Test func idempotencyKeyAndDryRun() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let body = ServiceFixture.tinyJob(name: "idem")
        let a = try C.request("POST", "\(f.base)/v1/jobs", body: body, headers: ["Idempotency-Key": "k1"])
        let b = try C.request("POST", "\(f.base)/v1/jobs", body: body, headers: ["Idempotency-Key": "k1"])
        #expect(a.status == 201 && b.status == 201)
        #expect(a.json["id"] as? String == b.json["id"] as? String)
        let c = try C.request("POST", "\(f.base)/v1/jobs", body: ServiceFixture.tinyJob(name: "other"), headers: ["Idempotency-Key": "k1"])
        #expect(c.status == 409)
        let dry = try C.request("POST", "\(f.base)/v1/jobs?dry_run=true", body: #"{"dataset": {"name": "digits"}}"#)
        #expect(dry.status == 200)
        let resolved = try #require(dry.json["job"] as? [String: Any])
        #expect((resolved["loss"] as? [String: Any])?["hard_pool"] as? Int == 32)
        #expect((resolved["augment"] as? [String: Any])?["flip"] as? Bool == false)
        let all = try C.request("GET", "\(f.base)/v1/jobs").json["jobs"] as? [[String: Any]] ?? []
        #expect(all.count == 1, "dry runs and replays queue nothing")
    }

    @Test func maxSecondsFailsTheJobWithTimeLimit() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let id = try #require(try C.request("POST", "\(f.base)/v1/jobs",
                                            body: ServiceFixture.tinyJob(epochs: 5000, extra: #", "max_seconds": 1.5"#)).json["id"] as? String)
        let job = try waitForStatus(f, id, ["failed", "succeeded"], timeout: 60)
        #expect(job["status"] as? String == "failed")
        #expect((job["error"] as? [String: Any])?["code"] as? String == "time_limit")
        #expect(try C.request("GET", "\(f.base)/v1/jobs/\(id)/checkpoint").status == 200, "the checkpoint is kept for a retry")
    }
}
