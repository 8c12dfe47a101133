import Foundation
import Logging
import SSCLStore
import Testing
@testable import SSCLService

/// The job document's wire format, read back with `JSONSerialization` (independently of
/// `JobDocument`): every key is there with its JSON type, unset times, errors, progress and
/// results are `null` rather than left out, optional keys are left out, stored JSON is embedded
/// as a value (a 64-bit seed exact, a boolean a boolean) and a non-finite metric is `null`.
@Suite struct JobDocumentTests {
    static func store(_ root: URL) throws -> JobStore {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try JobStore(path: root.appendingPathComponent("db.sqlite").path,
                            migrations: ServiceFixture.repository.appendingPathComponent("migrations"), logger: logger)
    }

    static func json(_ document: some Encodable) throws -> [String: Any] {
        let data = try JSONBody.data(document)
        return try #require(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any])
    }

    static let headKeys = ["id", "status", "attempt", "created_at", "started_at", "finished_at", "restarts_used",
                           "cancel_requested", "resume_from_checkpoint", "error"]
    static let keys = Set(headKeys + ["name", "priority", "max_restarts", "job", "progress", "result", "links"])

    @Test func aQueuedJobHasEveryKeyWithNullsForWhatIsUnset() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try Self.store(root)
        guard case let .created(job) = try store.createJob(
            name: "q", priority: 3, maxRestarts: 2, submittedJSON: "{}",
            resolvedJSON: #"{"seed":18446744073709551615,"lr":0.1,"eps":1e-08,"flag":true,"hidden":[512,256],"name":"q/1"}"#)
        else { Issue.record("not created"); return }

        let o = try Self.json(JobDocument(job, store: store, lastEventID: 7))
        #expect(Set(o.keys) == Self.keys.union(["queue_position", "last_event_id", "metrics"]))
        #expect(o["id"] as? String == job.id && o["name"] as? String == "q" && o["status"] as? String == "queued")
        #expect(o["priority"] as? Int == 3 && o["max_restarts"] as? Int == 2 && o["attempt"] as? Int == 0)
        #expect(o["restarts_used"] as? Int == 0 && o["queue_position"] as? Int == 1 && o["last_event_id"] as? Int == 7)
        #expect(o["cancel_requested"] as? Bool == false && o["resume_from_checkpoint"] as? Bool == false)
        #expect(o["created_at"] is String)
        for key in ["started_at", "finished_at", "error", "progress", "result"] {
            #expect(o[key] is NSNull, "\(key) is null")
        }
        #expect((o["metrics"] as? [String: Any])?.isEmpty == true)
        let links = try #require(o["links"] as? [String: String])
        #expect(links == ["self": "/v1/jobs/\(job.id)", "events": "/v1/jobs/\(job.id)/events",
                          "metrics": "/v1/jobs/\(job.id)/metrics", "logs": "/v1/jobs/\(job.id)/logs",
                          "model": "/v1/jobs/\(job.id)/model.safetensors", "checkpoint": "/v1/jobs/\(job.id)/checkpoint"])

        // The stored job as a JSON value, with its numbers' exact text.
        let text = String(decoding: try JSONBody.data(JobDocument(job, store: store)), as: UTF8.self)
        #expect(text.contains(#""seed":18446744073709551615"#) && text.contains(#""lr":0.1"#) && text.contains(#""eps":1e-08"#))
        #expect(text.contains(#""flag":true"#) && text.contains(#""hidden":[512,256]"#) && text.contains(#""name":"q/1""#))
        #expect(!text.contains("\\/"))

        // The list form: no metrics, no cursor.
        let listed = try Self.json(JobDocument(job, store: store, detailed: false))
        #expect(Set(listed.keys) == Self.keys.union(["queue_position"]))
    }

    @Test func aFinishedJobEmbedsItsProgressAndResultAndNullsANonFiniteMetric() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try Self.store(root)
        guard case let .created(created) = try store.createJob(
            name: "f", priority: 0, maxRestarts: 0, submittedJSON: "{}", resolvedJSON: #"{"epochs":1}"#)
        else { Issue.record("not created"); return }
        _ = try store.markStarted(id: created.id)
        try store.appendMetrics(jobID: created.id, points: [
            MetricPoint(name: "loss", step: 1, value: .nan, time: Date()),
            MetricPoint(name: "lr", step: 1, value: 0.25, time: Date()),
            MetricPoint(name: "images_per_s", step: 1, value: 1000, time: Date()),
        ])
        try store.updateProgress(id: created.id, progressJSON: #"{"epoch":1,"step":3}"#)
        let job = try store.finish(id: created.id, status: .failed, errorCode: "diverged", errorMessage: "loss is NaN",
                                   resultJSON: #"{"knn_accuracy":0.5,"final_loss":2.0}"#)

        let o = try Self.json(JobDocument(job, store: store))
        #expect(Set(o.keys) == Self.keys.union(["metrics"]))
        #expect(o["started_at"] is String && o["finished_at"] is String)
        #expect(o["error"] as? [String: String] == ["code": "diverged", "message": "loss is NaN"])
        let metrics = try #require(o["metrics"] as? [String: Any])
        #expect(metrics["loss"] is NSNull && metrics["lr"] as? Double == 0.25 && metrics["images_per_s"] as? Int == 1000)
        #expect((o["progress"] as? [String: Int]) == ["epoch": 1, "step": 3])
        let result = try #require(o["result"] as? [String: Any])
        #expect(result["knn_accuracy"] as? Double == 0.5 && result["final_loss"] as? Double == 2)
        #expect((o["job"] as? [String: Int]) == ["epochs": 1])
    }
}
