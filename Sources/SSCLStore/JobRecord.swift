import Foundation

/// One row of the `job` table. JSON columns stay text: the store does not interpret them.
public struct JobRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var status: JobStatus
    public var priority: Int
    /// The job document as the user sent it.
    public var submittedJSON: String
    /// The job document with every default filled in: what the worker runs.
    public var resolvedJSON: String
    public var createdAt: Date
    /// Start of the latest attempt.
    public var startedAt: Date?
    public var finishedAt: Date?
    /// 0 before the first run; 1 during the first; each restart or retry adds one.
    public var attempt: Int
    public var maxRestarts: Int
    /// Restarts after worker crashes, counted against `maxRestarts`.
    public var restartsUsed: Int
    /// The latest progress document.
    public var progressJSON: String?
    /// The engine's result document, once succeeded.
    public var resultJSON: String?
    public var errorCode: String?
    public var errorMessage: String?
    /// The next run should continue from the job's last checkpoint.
    public var resumeFromCheckpoint: Bool
    /// A cancel was asked for while the job was running; the worker has not stopped yet.
    public var cancelRequested: Bool
    /// The sweep this job is a trial of (nil for a job submitted on its own).
    public var sweepID: String?
    /// The index of the sweep configuration the trial runs.
    public var sweepConfiguration: Int?

    public init(
        id: String, name: String, status: JobStatus, priority: Int,
        submittedJSON: String, resolvedJSON: String, createdAt: Date,
        startedAt: Date? = nil, finishedAt: Date? = nil, attempt: Int = 0,
        maxRestarts: Int = 0, restartsUsed: Int = 0, progressJSON: String? = nil,
        resultJSON: String? = nil, errorCode: String? = nil, errorMessage: String? = nil,
        resumeFromCheckpoint: Bool = false, cancelRequested: Bool = false,
        sweepID: String? = nil, sweepConfiguration: Int? = nil
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.priority = priority
        self.submittedJSON = submittedJSON
        self.resolvedJSON = resolvedJSON
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.attempt = attempt
        self.maxRestarts = maxRestarts
        self.restartsUsed = restartsUsed
        self.progressJSON = progressJSON
        self.resultJSON = resultJSON
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.resumeFromCheckpoint = resumeFromCheckpoint
        self.cancelRequested = cancelRequested
        self.sweepID = sweepID
        self.sweepConfiguration = sweepConfiguration
    }
}
