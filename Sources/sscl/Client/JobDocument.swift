import SSCLEngine
import SSCLService
import SSCLStore

/// A job as `GET /v1/jobs/{id}` (and the job list) shows it, the fields the client uses. The
/// head (status, attempt, times, error) is the same `JobStatusSnapshot` a `status` event
/// carries, decoded from the same object, so the two cannot disagree.
struct JobDocument: Decodable, Sendable {
    var head: JobStatusSnapshot
    var name: String?
    var queuePosition: Int?
    var progress: JobProgress?
    var result: TrainingResult?
    /// The newest event id when the document was read (detailed documents only).
    var lastEventID: Int64?

    var id: String { head.id }
    var status: JobStatus { head.status }

    enum CodingKeys: String, CodingKey {
        case name, progress, result
        case queuePosition = "queue_position", lastEventID = "last_event_id"
    }

    init(from decoder: any Decoder) throws {
        head = try JobStatusSnapshot(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        queuePosition = try c.decodeIfPresent(Int.self, forKey: .queuePosition)
        progress = try c.decodeIfPresent(JobProgress.self, forKey: .progress)
        result = try c.decodeIfPresent(TrainingResult.self, forKey: .result)
        lastEventID = try c.decodeIfPresent(Int64.self, forKey: .lastEventID)
    }
}
