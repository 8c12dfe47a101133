import Foundation
import SSCLEngine
import SSCLStore

/// The JSON the API shows for a job (`GET /v1/jobs/{id}` and everywhere a job is returned).
struct JobDocument: Encodable {
    /// The head fields: the same snapshot a `status` event carries, encoded by the snapshot
    /// itself, so the page can apply either; a test checks that every snapshot key appears
    /// here with its value.
    var head: JobStatusSnapshot
    var name: String
    var priority: Int
    var maxRestarts: Int
    /// The resolved job, its progress and its result, as stored (null when absent).
    var job: JSONValue
    var progress: JSONValue
    var result: JSONValue
    var links: Links
    /// Left out for a job outside a sweep.
    var sweep: SweepLink?
    /// Queued jobs only.
    var queuePosition: Int?
    /// The job's newest event id read *before* the job (detailed documents only): a client
    /// that continues the event stream after it misses nothing.
    var lastEventID: Int64?
    /// Latest value of each metric (detailed documents only); nil for a non-finite value.
    var metrics: [String: Double?]?

    struct Links: Encodable {
        var `self`: String
        var events: String
        var metrics: String
        var logs: String
        var model: String
        var checkpoint: String
    }

    struct SweepLink: Encodable {
        var id: String
        var configuration: Int
        var link: String
    }

    enum CodingKeys: String, CodingKey {
        case name, priority, job, progress, result, links, sweep, metrics
        case maxRestarts = "max_restarts", queuePosition = "queue_position", lastEventID = "last_event_id"
    }

    /// `lastEventID`: the job's newest event id read before `job` was (detailed documents only).
    init(_ job: JobRecord, store: JobStore, detailed: Bool = true, lastEventID: Int64? = nil) {
        head = JobStatusSnapshot(job)
        name = job.name
        priority = job.priority
        maxRestarts = job.maxRestarts
        self.job = JSONBody.value(job.resolvedJSON)
        progress = JSONBody.value(job.progressJSON)
        result = JSONBody.value(job.resultJSON)
        let path = "/v1/jobs/\(job.id)"
        links = Links(self: path, events: "\(path)/events", metrics: "\(path)/metrics", logs: "\(path)/logs",
                      model: "\(path)/model.safetensors", checkpoint: "\(path)/checkpoint")
        sweep = job.sweepID.map { SweepLink(id: $0, configuration: job.sweepConfiguration ?? 0, link: "/v1/sweeps/\($0)") }
        if job.status == .queued, let position = try? store.queuePosition(id: job.id) {
            queuePosition = position
        }
        if detailed {
            self.lastEventID = lastEventID
            metrics = ((try? store.latestMetrics(jobID: job.id)) ?? [:]).mapValues { $0.isFinite ? $0 : nil }
        }
    }

    /// `job`, `progress`, `result` and the head's times and error are null when absent; the
    /// sweep, queue position, cursor and metrics are left out.
    func encode(to encoder: any Encoder) throws {
        try head.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(priority, forKey: .priority)
        try c.encode(maxRestarts, forKey: .maxRestarts)
        try c.encode(job, forKey: .job)
        try c.encode(progress, forKey: .progress)
        try c.encode(result, forKey: .result)
        try c.encode(links, forKey: .links)
        try c.encodeIfPresent(sweep, forKey: .sweep)
        try c.encodeIfPresent(queuePosition, forKey: .queuePosition)
        try c.encodeIfPresent(lastEventID, forKey: .lastEventID)
        try c.encodeIfPresent(metrics, forKey: .metrics)
    }
}
