import Foundation
import SSCLStore

/// The JSON the API shows for a job (`GET /v1/jobs/{id}` and everywhere a job is returned).
enum JobRepresentation {
    static func object(_ job: JobRecord, store: JobStore, detailed: Bool = true) -> [String: Any] {
        var o: [String: Any] = [
            "id": job.id,
            "name": job.name,
            "status": job.status.rawValue,
            "job": JSONBody.object(job.resolvedJSON),
            "created_at": RFC3339.string(from: job.createdAt),
            "started_at": job.startedAt.map(RFC3339.string(from:)) ?? NSNull(),
            "finished_at": job.finishedAt.map(RFC3339.string(from:)) ?? NSNull(),
            "attempt": job.attempt,
            "priority": job.priority,
            "max_restarts": job.maxRestarts,
            "restarts_used": job.restartsUsed,
            "cancel_requested": job.cancelRequested,
            "resume_from_checkpoint": job.resumeFromCheckpoint,
            "progress": JSONBody.object(job.progressJSON),
            "result": JSONBody.object(job.resultJSON),
            "error": job.errorCode.map { ["code": $0, "message": job.errorMessage ?? ""] } ?? NSNull(),
            "links": [
                "self": "/v1/jobs/\(job.id)", "events": "/v1/jobs/\(job.id)/events",
                "metrics": "/v1/jobs/\(job.id)/metrics", "logs": "/v1/jobs/\(job.id)/logs",
                "model": "/v1/jobs/\(job.id)/model.safetensors", "checkpoint": "/v1/jobs/\(job.id)/checkpoint",
            ],
        ]
        if job.status == .queued, let position = try? store.queuePosition(id: job.id) {
            o["queue_position"] = position
        }
        if detailed {
            let latest = (try? store.latestMetrics(jobID: job.id)) ?? [:]
            o["metrics"] = latest.mapValues { $0.isFinite ? $0 as Any : NSNull() }
        }
        return o
    }
}
