import Foundation

/// Where a job stands: what a `status` event carries and what the job page needs to render
/// its head (status, attempt, times, error) without another request. Defined once here,
/// written by the store with every status change and read by the API's job document, so
/// the stream and `GET /v1/jobs/{id}` can never disagree on a field's name or meaning.
public struct JobStatusSnapshot: Codable, Sendable, Equatable {
    public struct ErrorInfo: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
    }

    public var id: String
    public var status: JobStatus
    public var attempt: Int
    public var createdAt: String
    public var startedAt: String?
    public var finishedAt: String?
    public var restartsUsed: Int
    public var cancelRequested: Bool
    public var resumeFromCheckpoint: Bool
    public var error: ErrorInfo?

    public init(_ job: JobRecord) {
        id = job.id
        status = job.status
        attempt = job.attempt
        createdAt = RFC3339.string(from: job.createdAt)
        startedAt = job.startedAt.map(RFC3339.string(from:))
        finishedAt = job.finishedAt.map(RFC3339.string(from:))
        restartsUsed = job.restartsUsed
        cancelRequested = job.cancelRequested
        resumeFromCheckpoint = job.resumeFromCheckpoint
        error = job.errorCode.map { ErrorInfo(code: $0, message: job.errorMessage ?? "") }
    }

    enum CodingKeys: String, CodingKey {
        case id, status, attempt, error
        case createdAt = "created_at", startedAt = "started_at", finishedAt = "finished_at"
        case restartsUsed = "restarts_used", cancelRequested = "cancel_requested"
        case resumeFromCheckpoint = "resume_from_checkpoint"
    }

    /// Nil times and errors are `null`, not left out: a reader replacing its state with
    /// this snapshot must see a cleared error or an unset time.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(status, forKey: .status)
        try c.encode(attempt, forKey: .attempt)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(restartsUsed, forKey: .restartsUsed)
        try c.encode(cancelRequested, forKey: .cancelRequested)
        try c.encode(resumeFromCheckpoint, forKey: .resumeFromCheckpoint)
        try c.encode(error, forKey: .error)
    }
}

extension JobStatusSnapshot {
    /// Reads a `status` event's data.
    public static func decode(_ json: String) throws -> JobStatusSnapshot {
        try JSONDecoder().decode(JobStatusSnapshot.self, from: Data(json.utf8))
    }
}
