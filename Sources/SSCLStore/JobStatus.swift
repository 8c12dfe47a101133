/// Where a job is in its life: queued → running → succeeded | failed | cancelled.
/// Failed and cancelled jobs may be queued again (retry); a running job may be queued again
/// when its worker dies (restart) or the server stops.
public enum JobStatus: String, Sendable, Codable, CaseIterable {
    case queued, running, succeeded, failed, cancelled

    /// True for the end states, which carry a `finished_at`.
    public var isFinished: Bool {
        switch self {
        case .queued, .running: false
        case .succeeded, .failed, .cancelled: true
        }
    }
}
