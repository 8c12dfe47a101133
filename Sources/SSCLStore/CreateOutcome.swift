/// What `JobStore.createJob` did with a submission.
public enum CreateOutcome: Sendable, Equatable {
    /// A new job was queued.
    case created(JobRecord)
    /// The idempotency key was seen before with the same body: the original job, and the
    /// response saved for it with `JobStore.saveResponse`, if any.
    case replayed(JobRecord, StoredResponse?)
    /// The idempotency key was seen before with another body; nothing was created.
    case conflict(existingJobID: String)
}

/// A response saved with an idempotency key, replayed as is for a repeated submission.
public struct StoredResponse: Sendable, Equatable {
    public var statusCode: Int
    public var json: String

    public init(statusCode: Int, json: String) {
        self.statusCode = statusCode
        self.json = json
    }
}
