import Foundation

/// One entry of a job's event stream. `id` increases across all jobs, so it can serve as the
/// Server-Sent Events id; `type` is `status`, `progress`, `metric`, `log` or `similarity_histogram`.
public struct EventRecord: Sendable, Equatable {
    public var id: Int64
    public var jobID: String
    public var type: String
    public var dataJSON: String
    public var time: Date

    public init(id: Int64, jobID: String, type: String, dataJSON: String, time: Date) {
        self.id = id
        self.jobID = jobID
        self.type = type
        self.dataJSON = dataJSON
        self.time = time
    }
}
