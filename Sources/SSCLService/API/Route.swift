/// One endpoint of the API: the router dispatches on it and the OpenAPI document describes it,
/// so the two cannot drift apart (a test walks this list against the running server).
struct Route: Sendable {
    enum Operation: Sendable {
        case healthz, prometheus, openAPI, datasets, defaults
        case createJob, listJobs, getJob, deleteJob, jobMetrics, jobEvents, jobLogs
        case cancelJob, retryJob, downloadModel, downloadCheckpoint
    }

    let method: String
    /// Path with `{id}` placeholders.
    let pattern: String
    let operation: Operation
    let summary: String

    /// Matches `path`, returning the `{id}` value (or "" when the pattern has none).
    func match(_ path: String) -> String? {
        let want = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let have = path.split(separator: "/", omittingEmptySubsequences: false)
        guard want.count == have.count else { return nil }
        var id = ""
        for (w, h) in zip(want, have) {
            if w == "{id}" {
                guard !h.isEmpty else { return nil }
                id = String(h)
            } else if w != h {
                return nil
            }
        }
        return id
    }

    static let all: [Route] = [
        Route(method: "GET", pattern: "/healthz", operation: .healthz, summary: "Liveness and store check"),
        Route(method: "GET", pattern: "/metrics", operation: .prometheus, summary: "Prometheus metrics"),
        Route(method: "GET", pattern: "/openapi.json", operation: .openAPI, summary: "This API as OpenAPI 3.1"),
        Route(method: "GET", pattern: "/v1/datasets", operation: .datasets, summary: "Built-in datasets and their availability"),
        Route(method: "GET", pattern: "/v1/defaults", operation: .defaults, summary: "A complete default job document"),
        Route(method: "POST", pattern: "/v1/jobs", operation: .createJob, summary: "Submit a training job"),
        Route(method: "GET", pattern: "/v1/jobs", operation: .listJobs, summary: "List jobs, newest first"),
        Route(method: "GET", pattern: "/v1/jobs/{id}", operation: .getJob, summary: "One job"),
        Route(method: "DELETE", pattern: "/v1/jobs/{id}", operation: .deleteJob, summary: "Delete a finished job and its files"),
        Route(method: "GET", pattern: "/v1/jobs/{id}/metrics", operation: .jobMetrics, summary: "Metric series"),
        Route(method: "GET", pattern: "/v1/jobs/{id}/events", operation: .jobEvents, summary: "Server-Sent Events"),
        Route(method: "GET", pattern: "/v1/jobs/{id}/logs", operation: .jobLogs, summary: "Worker log lines"),
        Route(method: "POST", pattern: "/v1/jobs/{id}/cancel", operation: .cancelJob, summary: "Cancel a queued or running job"),
        Route(method: "POST", pattern: "/v1/jobs/{id}/retry", operation: .retryJob, summary: "Queue a failed or cancelled job again"),
        Route(method: "GET", pattern: "/v1/jobs/{id}/model.safetensors", operation: .downloadModel, summary: "The trained model"),
        Route(method: "GET", pattern: "/v1/jobs/{id}/checkpoint", operation: .downloadCheckpoint, summary: "The latest checkpoint"),
    ]
}
