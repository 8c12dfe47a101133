import Foundation
import SSCLStore

/// The JSON the API shows for a job (`GET /v1/jobs/{id}` and everywhere a job is returned).
enum JobRepresentation {
    /// `lastEventID`: the job's newest event id read *before* `job` (detailed documents only):
    /// a client that continues the event stream after it misses nothing.
    static func object(_ job: JobRecord, store: JobStore, detailed: Bool = true, lastEventID: Int64? = nil) -> [String: Any] {
        // The head fields come from the same snapshot a `status` event carries, so the page
        // can apply either; a test checks that every snapshot key appears here with its value.
        let head = JobStatusSnapshot(job)
        var o: [String: Any] = [
            "id": head.id,
            "name": job.name,
            "status": head.status.rawValue,
            "job": JSONBody.object(job.resolvedJSON),
            "created_at": head.createdAt,
            "started_at": head.startedAt ?? NSNull(),
            "finished_at": head.finishedAt ?? NSNull(),
            "attempt": head.attempt,
            "priority": job.priority,
            "max_restarts": job.maxRestarts,
            "restarts_used": head.restartsUsed,
            "cancel_requested": head.cancelRequested,
            "resume_from_checkpoint": head.resumeFromCheckpoint,
            "progress": JSONBody.object(job.progressJSON),
            "result": JSONBody.object(job.resultJSON),
            "error": head.error.map { ["code": $0.code, "message": $0.message] } ?? NSNull(),
            "links": [
                "self": "/v1/jobs/\(job.id)", "events": "/v1/jobs/\(job.id)/events",
                "metrics": "/v1/jobs/\(job.id)/metrics", "logs": "/v1/jobs/\(job.id)/logs",
                "model": "/v1/jobs/\(job.id)/model.safetensors", "checkpoint": "/v1/jobs/\(job.id)/checkpoint",
            ],
        ]
        if let sweep = job.sweepID {
            o["sweep"] = ["id": sweep, "configuration": job.sweepConfiguration ?? 0, "link": "/v1/sweeps/\(sweep)"] as [String: Any]
        }
        if job.status == .queued, let position = try? store.queuePosition(id: job.id) {
            o["queue_position"] = position
        }
        if detailed {
            if let cursor = lastEventID { o["last_event_id"] = cursor }
            let latest = (try? store.latestMetrics(jobID: job.id)) ?? [:]
            o["metrics"] = latest.mapValues { $0.isFinite ? $0 as Any : NSNull() }
        }
        return o
    }
}
